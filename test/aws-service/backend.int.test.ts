/**
 * Backends that push (issue 17, item 3): `sendBroadcast` and `sendToClient` over the IoT data
 * plane's Publish (the real `@aws-sdk/client-iot-data-plane`, against the emulator's data plane)
 * arrive at a webcomm client as decoded channel messages; bad input and refused credentials
 * are typed errors. Every send carries a fresh `webcomm-message-id` (issue 25) for MQTT 5 clients.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBackend, type Backend } from '@webcomm/aws-service';
import { silentLogger, startEmulator, type RunningEmulator } from '@webcomm/emulator';
import {
  createNodeClient,
  ERROR_CODES,
  MESSAGE_ID_PROPERTY,
  type NodeClient,
  type ReceivedMessage,
} from '@webcomm/node';
import { DEFAULT_CHANNELS } from '@webcomm/service';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nextEvent } from '../helpers/events.js';

let emulator: RunningEmulator;
let dataDir: string;
let client: NodeClient;
let backend: Backend;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'webcomm-backend-'));
  emulator = await startEmulator({ dataDir, logger: silentLogger });
  client = await createNodeClient({
    serviceUrl: emulator.endpoints.http,
    adminToken: emulator.adminToken,
    cacheDir: join(dataDir, 'id'),
  });
  await client.connect();
  backend = createBackend({
    endpoint: emulator.endpoints.iotData,
    region: emulator.region,
    credentials: emulator.backendCredentials,
    channels: DEFAULT_CHANNELS,
  });
});
afterAll(async () => {
  backend?.close();
  await client?.close();
  await emulator?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('a backend pushing through the IoT data plane', () => {
  it('sendBroadcast and sendToClient reach the client as decoded channel messages', async () => {
    const broadcasts: unknown[] = [];
    const privates: unknown[] = [];
    await client.subscribe('announcements', (message) => void broadcasts.push(message));
    await client.subscribe('private', (message) => void privates.push(message));

    let arrived = nextEvent(client, 'message');
    expect(await backend.sendBroadcast('announcements', { motd: 'maintenance at 02:00' })).toEqual({
      channel: 'announcements',
      topic: 'webcomm/local/announcements',
    });
    await arrived;
    arrived = nextEvent(client, 'message');
    const { clientId } = client.registration;
    expect(await backend.sendToClient(clientId, 'private', { reward: 'gold', amount: 5 })).toEqual({
      channel: 'private',
      topic: `webcomm/local/private/client/${clientId}`,
    });
    await arrived;
    expect(broadcasts).toEqual([{ motd: 'maintenance at 02:00' }]);
    expect(privates).toEqual([{ reward: 'gold', amount: 5 }]);
  });

  it('stamps every send with a fresh webcomm-message-id an MQTT 5 client receives', async () => {
    const mqtt5 = await createNodeClient({
      serviceUrl: emulator.endpoints.http,
      adminToken: emulator.adminToken,
      cacheDir: join(dataDir, 'id5'),
      protocolVersion: 5,
    });
    try {
      await mqtt5.connect();
      const received: ReceivedMessage[] = [];
      mqtt5.on('message', (message) => void received.push(message));
      await mqtt5.subscribe('announcements', () => undefined);
      await mqtt5.subscribe('private', () => undefined);
      let arrived = nextEvent(mqtt5, 'message');
      await backend.sendBroadcast('announcements', { round: 1 });
      await arrived;
      arrived = nextEvent(mqtt5, 'message');
      await backend.sendToClient(mqtt5.registration.clientId, 'private', { round: 2 });
      await arrived;
      const ids = received.map((message) => message.properties?.userProperties?.[MESSAGE_ID_PROPERTY]);
      expect(ids).toHaveLength(2);
      expect(ids.every((id) => typeof id === 'string' && id.length >= 16)).toBe(true);
      expect(ids[0]).not.toBe(ids[1]);
    } finally {
      await mqtt5.close();
    }
  });

  it('refuses unknown channels, the wrong kind of channel, bad client ids and oversized messages before calling AWS', async () => {
    await expect(backend.sendBroadcast('nope', {})).rejects.toMatchObject({ code: ERROR_CODES.UNKNOWN_CHANNEL });
    await expect(backend.sendBroadcast('private', {})).rejects.toThrow(/sendToClient/);
    await expect(backend.sendToClient('c1', 'announcements', {})).rejects.toThrow(/sendBroadcast/);
    await expect(backend.sendToClient('a/#', 'private', {})).rejects.toMatchObject({
      code: ERROR_CODES.INVALID_OPTION,
    });
    await expect(backend.sendBroadcast('announcements', 'x'.repeat(131_072))).rejects.toMatchObject({
      code: ERROR_CODES.INVALID_PAYLOAD,
    });
    await expect(backend.sendBroadcast('announcements', undefined)).rejects.toMatchObject({
      code: ERROR_CODES.INVALID_PAYLOAD,
    });
    expect(() => createBackend({ endpoint: 'iot.example', region: 'r', channels: DEFAULT_CHANNELS })).toThrow(
      /"endpoint"/,
    );
    expect(() =>
      createBackend({
        endpoint: emulator.endpoints.iotData,
        region: 'r',
        channels: { ...DEFAULT_CHANNELS, project: 'a/b' },
      }),
    ).toThrow(/"project"/);
  });

  it('wrong credentials are NOT_AUTHORIZED (fatal); disconnect() drops a live client and is false for an absent one', async () => {
    const wrong = createBackend({
      endpoint: emulator.endpoints.iotData,
      region: emulator.region,
      channels: DEFAULT_CHANNELS,
      credentials: { accessKeyId: emulator.backendCredentials.accessKeyId, secretAccessKey: 'not-the-secret' },
    });
    await expect(wrong.sendBroadcast('announcements', {})).rejects.toMatchObject({
      code: ERROR_CODES.NOT_AUTHORIZED,
      fatal: true,
    });
    wrong.close();
    expect(await backend.disconnect('nobody')).toBe(false);
    const lost = nextEvent(client, 'state', (change) => change.to === 'reconnecting');
    expect(await backend.disconnect(client.registration.clientId)).toBe(true);
    await lost;
  });
});
