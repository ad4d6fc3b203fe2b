/**
 * The emulator's portal page in real Chromium: sign in with the admin token, see users and
 * connected clients, ban a user from the page and see its live client disconnected, watch a
 * channel's live tail, publish an announcement. A screenshot is kept in test-artifacts/.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { silentLogger, startEmulator, type RunningEmulator } from '@webcomm/emulator';
import { createNodeClient, ERROR_CODES, type NodeClient } from '@webcomm/node';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../helpers/chromium.js';
import { nextEvent } from '../helpers/events.js';
import { openSignedInPortal } from '../helpers/portal.js';

const artifacts = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
let browser: Browser;
let emulator: RunningEmulator;
let dataDir = '';
let player: NodeClient;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'webcomm-portal-'));
  emulator = await startEmulator({ dataDir, logger: silentLogger });
  player = await createNodeClient({
    serviceUrl: emulator.endpoints.http,
    cacheDir: join(dataDir, 'player'),
    adminToken: emulator.adminToken,
  });
  await player.connect();
  await player.subscribe('content-updates', () => undefined);
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await player?.close();
  await browser?.close();
  await emulator?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('portal page (Chromium)', () => {
  it('bans a user from the page, and its live client is disconnected and refused', async () => {
    const page = await openSignedInPortal(browser, emulator, { width: 1100, height: 900 });
    const row = page.locator(`tr[data-user="${player.registration.clientId}"]`);
    await row.waitFor();
    expect(await row.locator('td.active').textContent()).toBe('active');
    await page.locator('#clients li', { hasText: player.registration.clientId }).waitFor();

    // Live tail of content-updates, fed by the publish form.
    await page.selectOption('#tail-channel', 'content-updates');
    await page.click('#tail-start');
    await page.waitForFunction(() =>
      document.getElementById('tail')?.textContent?.includes('watching content-updates'),
    );
    await page.selectOption('#pub-channel', 'content-updates');
    await page.fill('#pub-message', '{"version": 12}');
    const received = nextEvent(player, 'message');
    await page.click('#publish');
    await page.locator('#pub-result', { hasText: 'published on webcomm/local/content-updates' }).waitFor();
    await received;
    // Shown as JSON, not as an escaped string.
    await page.locator('#tail .entry pre', { hasText: '"version": 12' }).waitFor();

    // A ban asks first: dismissed, nothing happens.
    const asked: string[] = [];
    page.once('dialog', (dialog) => {
      asked.push(dialog.message());
      void dialog.dismiss();
    });
    await row.locator('button[data-action="ban"]').click();
    expect(asked).toEqual([expect.stringContaining(`Ban ${player.registration.clientId}?`)]);
    expect(await row.locator('td.active').textContent()).toBe('active');
    expect(player.state).toBe('connected');

    const failed = nextEvent(player, 'state', (change) => change.to === 'failed');
    page.once('dialog', (dialog) => void dialog.accept());
    await row.locator('button[data-action="ban"]').click();
    // The live client is dropped and its next attempt refused: it fails by itself (no wall-clock bound here; bench/ measures speed).
    const [change] = await failed;
    expect([ERROR_CODES.NOT_AUTHORIZED, ERROR_CODES.BANNED]).toContain(change.error?.code);
    await row.locator('td.banned').waitFor();
    await mkdir(artifacts, { recursive: true });
    await page.screenshot({ path: join(artifacts, 'portal.png'), fullPage: true });
    await page.close();
  });

  it('the admin API behind the page refuses a wrong token', async () => {
    const page = await browser.newPage();
    await page.goto(`${emulator.endpoints.http}/portal`);
    await page.fill('#token', 'wrong');
    await page.click('#signin');
    await page.locator('#error', { hasText: 'ADMIN_TOKEN_REQUIRED' }).waitFor();
    await page.close();
  });
});
