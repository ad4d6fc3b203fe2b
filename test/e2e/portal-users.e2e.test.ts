/**
 * The portal's user table in real Chromium against the emulator: search and paging done by the
 * server (`GET /admin/users?search=&offset=&limit=`), and the user detail view (kind, status,
 * live connections, last seen) with ban/unban. Screenshots in test-artifacts/.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { silentLogger, startEmulator, type RunningEmulator } from '@webcomm/emulator';
import type { UserRecord } from '@webcomm/core/internal';
import { createNodeClient, type NodeClient } from '@webcomm/node';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../helpers/chromium.js';
import { nextEvent } from '../helpers/events.js';
import { openSignedInPortal } from '../helpers/portal.js';

const artifacts = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
let browser: Browser;
let emulator: RunningEmulator;
let dataDir = '';
let player: NodeClient;

async function admin(
  path: string,
  init: { method?: string; body?: unknown } = {},
): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${emulator.endpoints.http}${path}`, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: { authorization: `Bearer ${emulator.adminToken}`, 'content-type': 'application/json' },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  return { status: response.status, body: await response.json() };
}

const signedIn = (): Promise<Page> => openSignedInPortal(browser, emulator, { width: 1200, height: 1000 });

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'webcomm-portal-users-'));
  emulator = await startEmulator({ dataDir, logger: silentLogger });
  // 60 guests (as the operator: no rate limit), named so a search can pick some out.
  for (let i = 0; i < 60; i += 1) {
    const clientId = `guest-${String(i).padStart(2, '0')}${i % 10 === 7 ? '-seven' : ''}`;
    expect((await admin('/register', { body: { type: 'WEBSOCKET', clientId } })).status).toBe(200);
  }
  player = await createNodeClient({
    serviceUrl: emulator.endpoints.http,
    adminToken: emulator.adminToken,
    cacheDir: join(dataDir, 'player'),
  });
  await player.connect();
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await player?.close();
  await browser?.close();
  await emulator?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('GET /admin/users pages on the server', () => {
  it('returns one bounded page with the total, filtered by search', async () => {
    const first = (await admin('/admin/users?limit=10')).body as {
      users: UserRecord[];
      total: number;
      offset: number;
      limit: number;
    };
    expect([first.users.length, first.total, first.offset, first.limit]).toEqual([10, 61, 0, 10]);
    const page = (await admin('/admin/users?search=SEVEN&offset=2&limit=2')).body as {
      users: UserRecord[];
      total: number;
    };
    expect(page.total).toBe(6);
    expect(page.users.map((u) => u.id)).toEqual(['guest-27-seven', 'guest-37-seven']);
    expect(((await admin('/admin/users')).body as { limit: number }).limit).toBe(50);
    for (const bad of ['limit=0', 'limit=501', 'offset=-1', 'limit=x']) {
      expect((await admin(`/admin/users?${bad}`)).status, bad).toBe(400);
    }
  });
});

describe('portal users (Chromium)', () => {
  it('pages through the users 25 at a time and searches by id on the server', async () => {
    const page = await signedIn();
    await page.locator('#users-range', { hasText: '1–25 of 61' }).waitFor();
    expect(await page.locator('#users tr').count()).toBe(25);
    expect(await page.locator('#users-prev').isDisabled()).toBe(true);
    await page.click('#users-next');
    await page.locator('#users-range', { hasText: '26–50 of 61' }).waitFor();
    await page.click('#users-next');
    await page.locator('#users-range', { hasText: '51–61 of 61' }).waitFor();
    expect(await page.locator('#users-next').isDisabled()).toBe(true);
    await page.fill('#user-search', 'seven');
    await page.locator('#users-range', { hasText: '1–6 of 6 matching "seven"' }).waitFor();
    expect(
      await page
        .locator('#users tr[data-user]')
        .evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.user)),
    ).toEqual([
      'guest-07-seven',
      'guest-17-seven',
      'guest-27-seven',
      'guest-37-seven',
      'guest-47-seven',
      'guest-57-seven',
    ]);
    await page.fill('#user-search', 'nobody-has-this');
    await page.locator('#users', { hasText: 'no user id contains "nobody-has-this"' }).waitFor();
    await page.fill('#user-search', 'seven');
    await page.locator('#users-range', { hasText: 'of 6' }).waitFor();
    await mkdir(artifacts, { recursive: true });
    await page.screenshot({ path: join(artifacts, 'portal-users-search.png'), fullPage: true });
    await page.close();
  });

  it('shows a user in detail (kind, status, live connections, last seen) and bans it from there', async () => {
    const page = await signedIn();
    const id = player.registration.clientId;
    await page.fill('#user-search', id);
    await page.locator(`tr[data-user="${id}"] button[data-action="details"]`).click();
    const detail = page.locator('#detail');
    await detail.locator('#detail-id', { hasText: id }).waitFor();
    expect(await detail.locator('dd[data-fact="kind"]').textContent()).toBe('OPENSSL');
    expect(await detail.locator('dd[data-fact="status"]').textContent()).toBe('active');
    expect(await detail.locator('dd[data-fact="connections"]').textContent()).toBe('1');
    expect(await detail.locator('dd[data-fact="last seen"]').textContent()).toBe('now (connected)');
    const connection = detail.locator(`#detail-connections tr[data-client="${id}"]`);
    expect(await connection.locator('td').nth(1).textContent()).toBe('tls');
    // The per-connection action area is there for a kick button.
    expect(await connection.locator(`td.client-actions[data-client-id="${id}"]`).count()).toBe(1);
    await mkdir(artifacts, { recursive: true });
    await page.screenshot({ path: join(artifacts, 'portal-user-detail.png'), fullPage: true });

    const failed = nextEvent(player, 'state', (change) => change.to === 'failed');
    page.once('dialog', (dialog) => void dialog.accept()); // a ban asks for confirmation
    await detail.locator('#detail-actions button[data-action="ban"]').click();
    await failed;
    await detail.locator('dd[data-fact="status"].banned', { hasText: 'banned' }).waitFor();
    await detail.locator('dd[data-fact="connections"]', { hasText: '0' }).waitFor();
    // Disconnected: last seen is now a time, not "never".
    expect(await detail.locator('dd[data-fact="last seen"]').textContent()).toMatch(
      /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/,
    );
    expect(await page.locator(`tr[data-user="${id}"] td.seen`).textContent()).toMatch(/^\d{4}-/);
    await detail.locator('#detail-actions button[data-action="unban"]').click();
    await detail.locator('dd[data-fact="status"].active', { hasText: 'active' }).waitFor();
    await page.close();
  });
});
