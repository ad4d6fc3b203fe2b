import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger, startEmulator, type RunningEmulator } from '@webcomm/emulator';
import { afterEach, describe, expect, it } from 'vitest';
import { main, type ContentUpdate } from './main.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function emulator(): Promise<RunningEmulator> {
  const dataDir = await mkdtemp(join(tmpdir(), 'webcomm-example-'));
  const running = await startEmulator({ dataDir, logger: silentLogger });
  cleanups.push(async () => {
    await running.stop();
    await rm(dataDir, { recursive: true, force: true });
  });
  return running;
}

describe('examples/dedicated-server', () => {
  it('registers, then reuses its cached identity on the next start, and reacts to content updates', async () => {
    const emu = await emulator();
    const cacheDir = join(emu.dataDir, 'cache');
    const lines: string[] = [];
    const first = await main({
      serviceUrl: emu.endpoints.http,
      cacheDir,
      adminToken: emu.adminToken,
      log: (l) => lines.push(l),
    });
    const clientId = first.registration.clientId;
    await first.close();
    const publish = (version: number): Promise<Response> =>
      fetch(`${emu.endpoints.http}/admin/publish`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${emu.adminToken}` },
        body: JSON.stringify({ channel: 'content-updates', message: { version } }),
      });
    // Published while the server is down: it catches up on start (the service keeps the latest).
    expect((await publish(41)).status).toBe(200);
    const updates: ContentUpdate[] = [];
    const waiters: (() => void)[] = [];
    const second = await main({
      serviceUrl: emu.endpoints.http,
      cacheDir,
      log: (l) => lines.push(l),
      onContent: (u) => {
        updates.push(u);
        waiters.shift()?.();
      },
    });
    cleanups.push(() => second.close());
    expect(second.fromCache).toBe(true);
    expect(second.registration.clientId).toBe(clientId);
    if (updates.length === 0) await new Promise<void>((resolve) => waiters.push(resolve));
    const next = new Promise<void>((resolve) => waiters.push(resolve));
    expect((await publish(42)).status).toBe(200);
    await next;
    expect(updates).toEqual([{ version: 41 }, { version: 42 }]);
    expect(lines).toContain('dedicated server: new content v42: reloading levels');
  });
});
