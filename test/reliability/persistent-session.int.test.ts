/**
 * A persistent session (clean: false): QoS 1 messages published while the client was away are
 * all delivered when it comes back, each exactly once to the handler. Against the emulator, which
 * keeps them like IoT Core.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger, startEmulator } from '@webcomm/emulator';
import { createNodeClient, type NodeClient } from '@webcomm/node';
import { afterEach, describe, expect, it } from 'vitest';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('persistent session (emulator)', () => {
  it('delivers every QoS 1 message published while the client was away, with no duplicates', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'webcomm-session-'));
    const emulator = await startEmulator({ dataDir, logger: silentLogger });
    cleanups.push(async () => {
      await emulator.stop();
      await rm(dataDir, { recursive: true, force: true });
    });
    const cacheDir = join(dataDir, 'identity');
    const connect = async (): Promise<{ client: NodeClient; got: number[] }> => {
      const client = await createNodeClient({
        serviceUrl: emulator.endpoints.http,
        adminToken: emulator.adminToken,
        cacheDir,
        clean: false,
      });
      cleanups.push(() => client.close());
      const got: number[] = [];
      await client.subscribe<{ n: number }>('content-updates', (m) => void got.push(m.n), { qos: 1 });
      await client.connect();
      return { client, got };
    };
    const away = await connect();
    await away.client.close();
    const publish = (n: number): Promise<Response> =>
      fetch(`${emulator.endpoints.http}/admin/publish`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${emulator.adminToken}` },
        body: JSON.stringify({ channel: 'content-updates', message: { n }, retain: false }),
      });
    for (let n = 1; n <= 20; n++) expect((await publish(n)).status).toBe(200);

    const back = await connect();
    await new Promise<void>((resolve) => {
      const check = (): void => void (back.got.length >= 20 && resolve());
      back.client.on('message', () => queueMicrotask(check));
      check();
    });
    expect(back.got).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    // One more live message: still exactly once.
    const live = new Promise<void>((resolve) =>
      back.client.on('message', () => queueMicrotask(() => back.got.length === 21 && resolve())),
    );
    await publish(21);
    await live;
    expect(back.got).toEqual(Array.from({ length: 21 }, (_, i) => i + 1));
  });
});
