/**
 * The emulator's IoT data plane, called with AWS's own `@aws-sdk/client-iot-data-plane`
 * (issue 17, item 3): `Publish` reaches a subscribed webcomm client as a decoded channel message,
 * `DeleteConnection` drops a live client, and wrong, tampered or stale credentials get 403.
 */
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { DeleteConnectionCommand, IoTDataPlaneClient, PublishCommand } from '@aws-sdk/client-iot-data-plane';
import { silentLogger, startEmulator, type RunningEmulator } from '@webcomm/emulator';
import { createNodeClient, type NodeClient } from '@webcomm/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nextEvent } from '../helpers/events.js';

let emulator: RunningEmulator;
let dataDir: string;
let client: NodeClient;

const dataPlane = (credentials = emulator.backendCredentials, region = emulator.region): IoTDataPlaneClient =>
  new IoTDataPlaneClient({ endpoint: emulator.endpoints.iotData, region, credentials, maxAttempts: 1 });

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'webcomm-iotdata-'));
  emulator = await startEmulator({ dataDir, logger: silentLogger });
  client = await createNodeClient({
    serviceUrl: emulator.endpoints.http,
    adminToken: emulator.adminToken,
    cacheDir: join(dataDir, 'id'),
  });
  await client.connect();
});
afterAll(async () => {
  await client?.close();
  await emulator?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('the emulator IoT data plane with the real SDK', () => {
  it('exposes endpoints.iotData and backendCredentials (secret redacted when printed, 0600 in endpoints.json)', async () => {
    expect(emulator.endpoints.iotData).toBe(emulator.endpoints.http);
    expect(emulator.backendCredentials.accessKeyId).toMatch(/^AKIA[A-Z2-7]{16}$/);
    expect(inspect(emulator)).not.toContain(emulator.backendCredentials.secretAccessKey);
    expect(JSON.stringify(emulator)).not.toContain(emulator.backendCredentials.secretAccessKey);
    const file = join(dataDir, 'endpoints.json');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const record = JSON.parse(await readFile(file, 'utf8')) as { backendCredentials: unknown; iotData: string };
    expect(record.backendCredentials).toEqual({ ...emulator.backendCredentials });
    expect(record.iotData).toBe(emulator.endpoints.iotData);
  });

  it('Publish reaches a subscribed client as a decoded channel message (qos 0 and 1)', async () => {
    const topic = client.registration.channels.find((channel) => channel.name === 'announcements')?.topic ?? '';
    expect(topic).toBe('webcomm/local/announcements');
    const got: unknown[] = [];
    await client.subscribe('announcements', (message) => void got.push(message));
    const sdk = dataPlane();
    for (const qos of [0, 1]) {
      const arrived = nextEvent(client, 'message');
      const output = await sdk.send(
        new PublishCommand({ topic, qos, payload: Buffer.from(JSON.stringify({ motd: `hello ${qos}` })) }),
      );
      expect(output.$metadata.httpStatusCode).toBe(200);
      await arrived;
    }
    expect(got).toEqual([{ motd: 'hello 0' }, { motd: 'hello 1' }]);
  });

  it('refuses wrong keys, another region and a wildcard topic with AWS errors', async () => {
    const topic = 'webcomm/local/announcements';
    const refused = async (
      sdk: IoTDataPlaneClient,
      command: PublishCommand | DeleteConnectionCommand,
    ): Promise<{ name: string; status: number | undefined; message: string }> => {
      try {
        await sdk.send(command as PublishCommand);
      } catch (error) {
        const e = error as Error & { $metadata?: { httpStatusCode?: number } };
        return { name: e.name, status: e.$metadata?.httpStatusCode, message: e.message };
      }
      throw new Error('the call was accepted');
    };
    const wrongSecret = await refused(
      dataPlane({ ...emulator.backendCredentials, secretAccessKey: 'x'.repeat(40) }),
      new PublishCommand({ topic, payload: Buffer.from('{}') }),
    );
    expect(wrongSecret).toMatchObject({ name: 'ForbiddenException', status: 403 });
    expect(wrongSecret.message).toContain('signature');
    const wrongKey = await refused(
      dataPlane({ accessKeyId: 'AKIAAAAAAAAAAAAAAAAA', secretAccessKey: emulator.backendCredentials.secretAccessKey }),
      new DeleteConnectionCommand({ clientId: client.registration.clientId }),
    );
    expect(wrongKey).toMatchObject({ name: 'ForbiddenException', status: 403 });
    expect(
      await refused(
        dataPlane(emulator.backendCredentials, 'eu-west-1'),
        new PublishCommand({ topic, payload: Buffer.from('{}') }),
      ),
    ).toMatchObject({ status: 403 });
    expect(
      await refused(dataPlane(), new PublishCommand({ topic: 'webcomm/#', payload: Buffer.from('{}') })),
    ).toMatchObject({ name: 'InvalidRequestException', status: 400 });
    expect(await refused(dataPlane(), new DeleteConnectionCommand({ clientId: 'nobody-here' }))).toMatchObject({
      name: 'ResourceNotFoundException',
      status: 404,
    });
    expect(client.state).toBe('connected');
  });

  it('refuses a request signed more than 15 minutes ago', async () => {
    const sdk = dataPlane();
    const past = new Date(Date.now() - 20 * 60_000);
    // The SDK's systemClockOffset skews its signing date: the same path a slow clock takes.
    sdk.config.systemClockOffset = past.getTime() - Date.now();
    await expect(
      sdk.send(new PublishCommand({ topic: 'webcomm/local/announcements', payload: Buffer.from('{}') })),
    ).rejects.toMatchObject({ name: 'ForbiddenException' });
  });

  it('DeleteConnection drops the live client (it sees its link close and reconnects, as on IoT)', async () => {
    const lost = nextEvent(client, 'state', (change) => change.from === 'connected' && change.to === 'reconnecting');
    const output = await dataPlane().send(new DeleteConnectionCommand({ clientId: client.registration.clientId }));
    expect(output.$metadata.httpStatusCode).toBe(200);
    await lost;
    await nextEvent(client, 'state', (change) => change.to === 'connected');
  });
});
