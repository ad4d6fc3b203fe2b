import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger, startEmulator, type RunningEmulator } from '@webcomm/emulator';
import { createNodeClient, ERROR_CODES } from '@webcomm/node';
import { afterEach, describe, expect, it } from 'vitest';
import { main, type AssetSaved } from './main.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function emulator(): Promise<RunningEmulator> {
  const dataDir = await mkdtemp(join(tmpdir(), 'webcomm-plugin-'));
  const running = await startEmulator({ dataDir, logger: silentLogger });
  cleanups.push(async () => {
    await running.stop();
    await rm(dataDir, { recursive: true, force: true });
  });
  return running;
}

describe('examples/editor-plugin', () => {
  it('listens for announcements and publishes on the trusted tools channel straight to the broker', async () => {
    const emu = await emulator();
    let heard: (line: string) => void = () => undefined;
    const announcement = new Promise<string>((resolve) => (heard = resolve));
    const log = (line: string): void => {
      if (line.includes('announcement:')) heard(line);
    };
    const plugin = await main({
      serviceUrl: emu.endpoints.http,
      cacheDir: join(emu.dataDir, 'plugin'),
      adminToken: emu.adminToken,
      log,
    });
    cleanups.push(() => plugin.close());
    const server = await createNodeClient({
      serviceUrl: emu.endpoints.http,
      cacheDir: join(emu.dataDir, 'server'),
      adminToken: emu.adminToken,
    });
    cleanups.push(() => server.close());
    await server.connect();
    let received: (event: AssetSaved) => void = () => undefined;
    const saved = new Promise<AssetSaved>((resolve) => (received = resolve));
    await server.subscribe<AssetSaved>('tools', (event) => received(event));
    await plugin.assetSaved('levels/forest.level');
    expect(await saved).toEqual({
      kind: 'asset-saved',
      path: 'levels/forest.level',
      by: plugin.client.registration.clientId,
    });

    await fetch(`${emu.endpoints.http}/admin/publish`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${emu.adminToken}` },
      body: JSON.stringify({ channel: 'announcements', message: { text: 'maintenance at 18:00' } }),
    });
    expect(await announcement).toBe('editor plugin: announcement: maintenance at 18:00');
  });

  it('receive-only stays the default: publishing on a channel not opted in is refused before sending', async () => {
    const emu = await emulator();
    const plugin = await main({
      serviceUrl: emu.endpoints.http,
      cacheDir: join(emu.dataDir, 'plugin'),
      adminToken: emu.adminToken,
      log: () => undefined,
    });
    cleanups.push(() => plugin.close());
    await expect(plugin.client.publish('announcements', { text: 'no' })).rejects.toMatchObject({
      code: ERROR_CODES.PUBLISH_NOT_ENABLED,
    });
    expect(plugin.client.state).toBe('connected');
  });
});
