/**
 * `registerWebSocketClient` (@webcomm/aws) is the service half of a WebSocket client's start,
 * shared by the browser's `connectToService` and any runtime with a `WebSocket`: here a Node bot
 * over `ws` registers, keeps its identity across restarts, gets credentials that sign, and
 * receives its private channel through core's client.
 */
import { memoryStorage, registerWebSocketClient, webSocketTransport } from '@webcomm/aws';
import { WebcommClient } from '@webcomm/core';
import { WebSocket } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { startDefaultEmulator, type SecurityEmulator } from '../helpers/security-emulator.js';

let running: SecurityEmulator | undefined;
let client: WebcommClient | undefined;
afterEach(async () => {
  await client?.close();
  await running?.close();
  running = client = undefined;
});

describe('registerWebSocketClient', () => {
  it('registers once per storage, signs with the identity it made, and a core client over ws receives its private channel', async () => {
    running = await startDefaultEmulator();
    const { emulator } = running;
    const storage = memoryStorage();
    const first = await registerWebSocketClient({
      serviceUrl: emulator.endpoints.http,
      storage,
      publishChannels: ['chat'],
    });
    const again = await registerWebSocketClient({ serviceUrl: emulator.endpoints.http, storage });
    expect(again.registration.clientId).toBe(first.registration.clientId);
    expect(first.endpointUrl).toBe(emulator.endpoints.ws);
    expect(first.channels.map((c) => c.name)).toEqual(first.registration.channels.map((c) => c.name));
    // Receive-only unless asked: only the named channel publishes (through the service API).
    expect(first.channels.filter((c) => c.publish !== undefined).map((c) => c.name)).toEqual(['chat']);
    expect((await first.credentials()).accessKeyId).toMatch(/\S/);

    client = new WebcommClient({
      clientId: first.registration.clientId,
      channels: first.channels,
      statusCheck: first.statusCheck,
      transport: webSocketTransport({
        endpoint: first.endpointUrl,
        auth: { type: 'sigv4', credentials: first.credentials, region: first.registration.region },
        WebSocket: WebSocket as never,
      }),
    });
    const received = new Promise<unknown>((resolve) => void client?.subscribe('private', resolve));
    await client.connect();
    const own = first.registration.channels.find((c) => c.name === 'private');
    expect(own?.topic).toContain(first.registration.clientId);
    await emulator.broker.publish(own?.topic ?? '', Buffer.from(JSON.stringify({ gift: 1 })), { qos: 1 });
    expect(await received).toEqual({ gift: 1 });
  });
});
