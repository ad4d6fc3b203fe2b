/**
 * What an operator does in the portal besides watching, in real Chromium: register a client (with
 * a publish grant) and download its files, grant and revoke a user's broker publish rights, and
 * read the refusals the emulator made (`onRefusal`), which the refused client never sees.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { silentLogger, startEmulator, type RunningEmulator } from '@webcomm/emulator';
import { connect } from 'mqtt';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../helpers/chromium.js';
import { openSignedInPortal } from '../helpers/portal.js';

const artifacts = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
let browser: Browser;
let emulator: RunningEmulator;
let dataDir = '';

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'webcomm-portal-operator-'));
  emulator = await startEmulator({ dataDir, logger: silentLogger });
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await emulator?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const signedIn = (): Promise<Page> => openSignedInPortal(browser, emulator, { width: 1200, height: 1400 });

async function userBrokerPublish(id: string): Promise<readonly string[] | undefined> {
  const response = await fetch(`${emulator.endpoints.http}/admin/users/${encodeURIComponent(id)}`, {
    headers: { authorization: `Bearer ${emulator.adminToken}` },
  });
  return ((await response.json()) as { user: { brokerPublish?: string[] } }).user.brokerPublish;
}

describe('portal operator actions (Chromium)', () => {
  it('registers a client with a publish grant and offers its files for download', async () => {
    const page = await signedIn();
    await page.selectOption('#reg-type', 'OPENSSL');
    await page.locator('#reg-publish input[value="tools"]').check();
    await page.click('#register');
    const result = page.locator('#reg-result', { hasText: 'registered ' });
    await result.waitFor();
    expect(await result.textContent()).toContain('may publish straight to the broker on tools');
    const clientId = (await result.getAttribute('data-client-id')) ?? '';
    expect(await userBrokerPublish(clientId)).toEqual(['tools']);
    expect(await page.locator('#reg-files a').allTextContents()).toEqual([
      'certificate.pem',
      'private-key.pem',
      'ca.pem',
      'registration.json',
    ]);
    const download = page.waitForEvent('download');
    await page.locator('#reg-files a', { hasText: 'private-key.pem' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toBe('private-key.pem');
    await page.locator(`tr[data-user="${clientId}"]`).waitFor();
    await page.close();
  });

  it("grants and revokes a user's broker publish rights from the user's detail", async () => {
    const registered = (await (
      await fetch(`${emulator.endpoints.http}/admin/register`, {
        method: 'POST',
        headers: { authorization: `Bearer ${emulator.adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'OPENSSL' }),
      })
    ).json()) as { clientId: string };
    const id = registered.clientId;
    const page = await signedIn();
    await page.fill('#user-search', id);
    await page.locator(`tr[data-user="${id}"] button[data-action="details"]`).click();
    await page.locator('#detail-id', { hasText: id }).waitFor();
    expect(await page.locator('dd[data-fact="broker publish"]').textContent()).toBe('none');
    // The form survives the page's 2 s refresh: tick, wait for a refresh, the box is still ticked.
    await page.locator('#grants input[value="tools"]').check();
    await page.waitForResponse((response) => response.url().includes('/admin/users/'));
    expect(await page.locator('#grants input[value="tools"]').isChecked()).toBe(true);
    await page.click('#grants-save');
    await page.locator('#grants-result', { hasText: 'saved: tools' }).waitFor();
    await page.locator('dd[data-fact="broker publish"]', { hasText: 'tools' }).waitFor();
    expect(await userBrokerPublish(id)).toEqual(['tools']);

    await page.locator('#grants input[value="tools"]').uncheck();
    await page.click('#grants-save');
    await page.locator('#grants-result', { hasText: 'saved: none' }).waitFor();
    expect((await userBrokerPublish(id)) ?? []).toEqual([]); // no grant: the field is absent
    await mkdir(artifacts, { recursive: true });
    await page.screenshot({ path: join(artifacts, 'portal-operator.png'), fullPage: true });
    await page.close();
  });

  it('lists what the emulator refused, and why', async () => {
    const page = await signedIn();
    // A client id starting with "$" is refused at CONNECT (IoT Core reserves it).
    const refused = connect(emulator.endpoints.mqtt, { clientId: '$not-allowed', reconnectPeriod: 0 });
    await new Promise<void>((closed) => refused.once('close', () => closed()));
    refused.end(true);
    const row = page.locator('#refusals tr[data-reason="client-id-reserved"]');
    await row.waitFor({ timeout: 10_000 });
    expect(await row.locator('td').nth(1).textContent()).toBe('connect');
    await page.close();
  });
});
