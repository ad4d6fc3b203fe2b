/**
 * The emulator refuses, as IoT Core on MQTT 3.1.1 does, a SUBSCRIBE or PUBLISH outside the
 * client's policy by closing the connection. A node client subscribing to a channel its policy
 * does not grant (a typo'd name) gets SUBSCRIBE_REFUSED; a broker publish on a topic the policy
 * does not open gets PUBLISH_REFUSED; both stay connected with everything else.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger, startEmulator, type RunningEmulator } from '@webcomm/emulator';
import { createNodeClient, ERROR_CODES, type NodeClient, type WebcommError } from '@webcomm/node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nextEvent, record } from '../helpers/events.js';

let emulator: RunningEmulator;
let dataDir: string;
let client: NodeClient | undefined;

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'webcomm-refused-'));
  emulator = await startEmulator({ dataDir, logger: silentLogger });
});
afterEach(async () => {
  await client?.close();
  client = undefined;
  await emulator.stop();
  await rm(dataDir, { recursive: true, force: true });
});

function adminPublish(channel: string, message: unknown): Promise<Response> {
  return fetch(`${emulator.endpoints.http}/admin/publish`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${emulator.adminToken}` },
    body: JSON.stringify({ channel, message, retain: false }),
  });
}

describe('refusals by closing the link (emulator)', () => {
  it('a channel the policy does not grant: SUBSCRIBE_REFUSED, the granted channel keeps delivering', async () => {
    client = await createNodeClient({
      serviceUrl: emulator.endpoints.http,
      adminToken: emulator.adminToken,
      cacheDir: join(dataDir, 'id'),
    });
    const takenOver = record(client, 'takenOver');
    const errors = record(client, 'error');
    const got: unknown[] = [];
    await client.subscribe('announcements', (m) => void got.push(m));
    await client.connect();
    const started = performance.now();
    // A typo'd channel: the topic is well formed but outside the policy.
    const failure = await client
      .subscribe('webcomm/local/anouncements', () => undefined)
      .then(
        () => undefined,
        (error: unknown) => error as WebcommError,
      );
    const ms = performance.now() - started;
    expect(failure?.code).toBe(ERROR_CODES.SUBSCRIBE_REFUSED);
    expect(failure?.message).toContain('"webcomm/local/anouncements"');
    expect(errors.map(([e]) => e.code)).toEqual([ERROR_CODES.SUBSCRIBE_REFUSED]);
    expect(takenOver).toEqual([]);
    if (client.state !== 'connected') await nextEvent(client, 'connected');
    const arrived = nextEvent(client, 'message');
    expect((await adminPublish('announcements', { text: 'still here' })).status).toBe(200);
    await arrived;
    expect(got).toEqual([{ text: 'still here' }]);
    console.log(`emulator: SUBSCRIBE_REFUSED in ${ms.toFixed(0)} ms`);
  });

  it('a broker publish on a topic the policy does not open: PUBLISH_REFUSED for it alone', async () => {
    client = await createNodeClient({
      serviceUrl: emulator.endpoints.http,
      adminToken: emulator.adminToken, // the operator grants this tool direct publish on `tools`
      cacheDir: join(dataDir, 'id'),
      publish: { tools: 'broker' },
      extraChannels: [{ name: 'announce-direct', topic: 'webcomm/local/announcements', publish: 'broker' }],
    });
    const takenOver = record(client, 'takenOver');
    await client.connect();
    const results = await Promise.allSettled([
      client.publish('tools', { n: 1 }, { qos: 1 }),
      client.publish('announce-direct', { n: 2 }, { qos: 1 }),
      client.publish('tools', { n: 3 }, { qos: 1 }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({
      code: ERROR_CODES.PUBLISH_REFUSED,
      topic: 'webcomm/local/announcements',
    });
    expect(takenOver).toEqual([]);
    if (client.state !== 'connected') await nextEvent(client, 'connected');
    await client.publish('tools', { n: 4 }, { qos: 1 });
  });
});
