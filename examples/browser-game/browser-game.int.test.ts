/**
 * examples/browser-game built with Vite (as a user would), served, and played in real Chromium
 * against the emulator: the page shows its connection state and each content update live.
 */
import { readFile } from 'node:fs/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { silentLogger, startEmulator, type RunningEmulator } from '@webcomm/emulator';
import type { Browser } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../test/helpers/chromium.js';

const here = fileURLToPath(new URL('./', import.meta.url));
let outDir = '';
let dataDir = '';
let site: Server;
let siteUrl = '';
let emulator: RunningEmulator;
let browser: Browser;

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript' };

beforeAll(async () => {
  outDir = await mkdtemp(join(tmpdir(), 'webcomm-game-'));
  // Vite resolves the built packages (@webcomm/core through its `browser` export), no polyfills.
  await build({
    configFile: join(here, 'vite.config.ts'),
    root: here,
    logLevel: 'silent',
    build: { outDir, emptyOutDir: true },
  });
  site = createServer((request, response) => {
    const path = normalize(
      join(
        outDir,
        (request.url ?? '/').split('?')[0] === '/' ? 'index.html' : ((request.url ?? '').split('?')[0] ?? ''),
      ),
    );
    if (!path.startsWith(outDir)) return void response.writeHead(403).end();
    readFile(path).then(
      (body) =>
        response.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream' }).end(body),
      () => response.writeHead(404).end(),
    );
  });
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}/`;
  dataDir = await mkdtemp(join(tmpdir(), 'webcomm-game-emu-'));
  emulator = await startEmulator({ dataDir, logger: silentLogger, allowAnonymous: false });
  browser = await launchChromium();
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await emulator?.stop();
  await new Promise((resolve) => site?.close(resolve));
  await rm(outDir, { recursive: true, force: true });
  await rm(dataDir, { recursive: true, force: true });
});

async function publish(version: number): Promise<void> {
  const response = await fetch(`${emulator.endpoints.http}/admin/publish`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${emulator.adminToken}` },
    body: JSON.stringify({
      channel: 'content-updates',
      message: { version, url: `https://cdn.example.com/v${version}.pak` },
    }),
  });
  expect(response.status).toBe(200);
}

describe('examples/browser-game (Vite build, Chromium, emulator)', () => {
  it('shows the connection state and content updates live', async () => {
    const page = await browser.newPage();
    await page.goto(`${siteUrl}?service=${encodeURIComponent(emulator.endpoints.http)}`);
    await page.locator('#state[data-state="connected"]').waitFor();
    expect(await page.textContent('#who')).toMatch(/^as local-1:/);
    await publish(1);
    await page.locator('li[data-version="1"]').waitFor();
    await publish(2);
    await page.locator('li[data-version="2"]').waitFor();
    expect(await page.locator('#updates li').allTextContents()).toEqual([
      'v1 https://cdn.example.com/v1.pak',
      'v2 https://cdn.example.com/v2.pak',
    ]);
    expect(await page.textContent('#error')).toBe('');
    await page.close();
  });
});
