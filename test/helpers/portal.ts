/** Opens the emulator's portal in a new Chromium page and signs in with the admin token. */
import type { Browser, Page } from 'playwright-core';
import type { RunningEmulator } from '@webcomm/emulator';

/** A signed-in portal page, once its first data has loaded (`body[data-ready]`). */
export async function openSignedInPortal(
  browser: Browser,
  emulator: RunningEmulator,
  viewport?: { width: number; height: number },
): Promise<Page> {
  const page = await browser.newPage(viewport === undefined ? {} : { viewport });
  await page.goto(`${emulator.endpoints.http}/portal`);
  await page.fill('#token', emulator.adminToken);
  await page.click('#signin');
  await page.waitForFunction(() => document.body.dataset.ready === 'true');
  return page;
}
