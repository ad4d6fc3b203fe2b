/**
 * The portal's live tail in real Chromium: a private channel tailed for one client (and for every
 * client), messages shown as readable, pretty-printed JSON (not escaped strings), and the
 * connection-lost state when the emulator stops: a banner, greyed stale tables, and the tail
 * saying it ended, then resuming by itself when the emulator is back. Screenshots in test-artifacts/.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { silentLogger, startEmulator, type RunningEmulator } from '@webcomm/emulator';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../helpers/chromium.js';
import { openSignedInPortal } from '../helpers/portal.js';

const artifacts = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
let browser: Browser;
let emulator: RunningEmulator;
let dataDir = '';

async function adminPublish(body: unknown): Promise<void> {
  const response = await fetch(`${emulator.endpoints.http}/admin/publish`, {
    method: 'POST',
    headers: { authorization: `Bearer ${emulator.adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(200);
}

const signedIn = (): Promise<Page> => openSignedInPortal(browser, emulator, { width: 1200, height: 1100 });

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'webcomm-portal-tail-'));
  emulator = await startEmulator({ dataDir, logger: silentLogger });
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await emulator?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('portal live tail (Chromium)', () => {
  it('tails a private channel for one client, printing messages as pretty JSON', async () => {
    const page = await signedIn();
    expect(await page.locator('#tail-client-label').isHidden()).toBe(true);
    await page.selectOption('#tail-channel', 'private');
    await page.locator('#tail-client-label').waitFor({ state: 'visible' });
    await page.fill('#tail-client', 'player-1');
    await page.click('#tail-start');
    await page.locator('#tail .status', { hasText: 'watching private of player-1' }).waitFor();
    // The tail's stream is open once the route answered; publish until the entry shows (no sleep).
    await adminPublish({ channel: 'private', clientId: 'player-2', message: { for: 'someone else' } });
    await adminPublish({
      channel: 'private',
      clientId: 'player-1',
      message: { reward: { coins: 50, reason: 'daily login' } },
    });
    const entry = page.locator('#tail .entry', { hasText: 'webcomm/local/private/client/player-1' });
    await entry.waitFor();
    expect(await entry.locator('pre').textContent()).toBe(
      JSON.stringify({ reward: { coins: 50, reason: 'daily login' } }, null, 2),
    );
    expect(await page.locator('#tail').textContent()).not.toContain('\\"');
    expect(await page.locator('#tail').textContent()).not.toContain('someone else');
    await mkdir(artifacts, { recursive: true });
    await page.screenshot({ path: join(artifacts, 'portal-tail-private.png'), fullPage: true });

    // No client id: every client's private channel.
    await page.fill('#tail-client', '');
    await page.click('#tail-start');
    await page.locator('#tail .status', { hasText: /^watching private$/ }).waitFor();
    await adminPublish({ channel: 'private', clientId: 'player-3', message: { hello: 3 } });
    await page.locator('#tail .entry', { hasText: 'webcomm/local/private/client/player-3' }).waitFor();
    await page.close();
  });

  it('shows "connection lost" (banner, stale tables greyed, tail ended) when the emulator stops', async () => {
    const page = await signedIn();
    await page.selectOption('#tail-channel', 'announcements');
    await page.click('#tail-start');
    await page.locator('#tail .status', { hasText: 'watching announcements' }).waitFor();
    await adminPublish({ channel: 'announcements', message: { text: 'server restarts in 5 minutes' } });
    await page.locator('#tail .entry', { hasText: 'server restarts' }).waitFor();
    expect(await page.locator('#connection').isHidden()).toBe(true);
    const port = emulator.endpoints.ports.http;
    await emulator.stop();
    await page.locator('#connection', { hasText: 'Connection lost' }).waitFor({ state: 'visible' });
    await page.locator('#tail .lost', { hasText: 'tail ended: connection lost; it resumes' }).waitFor();
    expect(await page.evaluate(() => document.body.dataset.connection)).toBe('lost');
    expect(await page.locator('#users-section').evaluate((e) => getComputedStyle(e).opacity)).toBe('0.45');
    await mkdir(artifacts, { recursive: true });
    await page.screenshot({ path: join(artifacts, 'portal-connection-lost.png'), fullPage: true });

    // Back on the same data directory and port: the banner goes away on the next poll.
    emulator = await startEmulator({ dataDir, logger: silentLogger, ports: { http: port } });
    await page.locator('#connection').waitFor({ state: 'hidden', timeout: 15_000 });
    expect(await page.evaluate(() => document.body.dataset.connection)).toBe('ok');
    // The tail picks up again by itself, keeping what it showed before.
    await page.locator('#tail .status', { hasText: 'emulator back: watching announcements' }).waitFor();
    await adminPublish({ channel: 'announcements', message: { text: 'back online' } });
    await page.locator('#tail .entry', { hasText: 'back online' }).waitFor();
    expect(await page.locator('#tail').textContent()).toContain('server restarts in 5 minutes');
    await page.close();
  });
});
