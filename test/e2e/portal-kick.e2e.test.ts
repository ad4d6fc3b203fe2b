/**
 * The portal's kick button in real Chromium (issue 13 item 9): a connected client is listed
 * with a Kick button; clicking it drops the client without banning it, and it reconnects.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger, startEmulator, type RunningEmulator } from '@webcomm/emulator';
import { createNodeClient, type NodeClient } from '@webcomm/node';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../helpers/chromium.js';
import { nextEvent } from '../helpers/events.js';
import { openSignedInPortal } from '../helpers/portal.js';

let browser: Browser;
let emulator: RunningEmulator;
let dataDir = '';
let player: NodeClient;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'webcomm-portal-kick-'));
  emulator = await startEmulator({ dataDir, logger: silentLogger });
  player = await createNodeClient({
    serviceUrl: emulator.endpoints.http,
    cacheDir: join(dataDir, 'player'),
    adminToken: emulator.adminToken,
    backoff: { initialDelayMs: 50, maxDelayMs: 200 },
  });
  await player.connect();
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await player?.close();
  await browser?.close();
  await emulator?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('portal kick button (Chromium)', () => {
  it('kicks a connected client from the page: it is dropped, stays active, and reconnects', async () => {
    const page = await openSignedInPortal(browser, emulator);
    const clientId = player.registration.clientId;
    const entry = page.locator(`#clients li[data-client="${clientId}"]`);
    await entry.waitFor();
    const dropped = nextEvent(player, 'state', (change) => change.from === 'connected');
    const back = nextEvent(player, 'state', (change) => change.from === 'reconnecting' && change.to === 'connected');
    await entry.locator('button[data-action="kick"]').click();
    await dropped;
    await back;
    // Not banned: the users table still says active, and the page shows it connected again.
    await page.locator(`tr[data-user="${clientId}"] td.active`).waitFor();
    await page.locator(`#clients li[data-client="${clientId}"]`).waitFor();
    expect(await page.textContent('#error')).toBe('');
    await page.close();
  });
});
