/**
 * The browser adapter in real Chromium against the real emulator: a page loads the built
 * packages (bundled by esbuild through their `browser` export conditions, as an app's bundler
 * does, with no polyfills), registers, gets guest credentials from the emulator's Cognito endpoint,
 * connects over the SigV4-signed WebSocket, receives content updates, and survives an emulator
 * restart. Wrong and expired credentials end in clear errors.
 */
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { silentLogger, startEmulator, type RunningEmulator } from '@webcomm/emulator';
import { createRequire } from 'node:module';
import type * as WebcommBrowser from '@webcomm/browser';
import type { ManualClock } from '@webcomm/core/testing';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../helpers/chromium.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const builtEntries = ['core', 'aws', 'browser'].map((name) => join(root, 'packages', name, 'dist/index.js'));
/** What the page gets: @webcomm/browser, plus core's ManualClock (one copy of core for both). */
type Webcomm = typeof WebcommBrowser & { ManualClock: typeof ManualClock };

interface Esbuild {
  build(options: Record<string, unknown>): Promise<{ outputFiles: { text: string }[] }>;
}
// esbuild comes with tsup (not a root dependency): resolve it through tsup.
const requireFromRoot = createRequire(join(root, 'package.json'));
const esbuild = createRequire(requireFromRoot.resolve('tsup/package.json'))('esbuild') as Esbuild;

/** Bundles the built packages as an app would: resolved through node_modules and their export maps. */
async function bundleBuilt(): Promise<string> {
  const result = await esbuild.build({
    stdin: {
      contents: "export * from '@webcomm/browser'; export { ManualClock } from '@webcomm/core/testing';",
      resolveDir: join(root, 'examples'),
      sourcefile: 'page.js',
    },
    // A tsconfig without the workspace's `paths` (those point at the sources): bundle what is built.
    tsconfig: join(root, 'packages/browser/tsconfig.json'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  return (result.outputFiles[0] as { text: string }).text;
}

let browser: Browser;
let pageServer: Server;
let pageUrl = '';
let dataDir = '';
let emulator: RunningEmulator;

async function start(ports?: { http: number; https: number; mqtt: number; mqtts: number }): Promise<RunningEmulator> {
  emulator = await startEmulator({ dataDir, logger: silentLogger, allowAnonymous: false, ...(ports ? { ports } : {}) });
  return emulator;
}

beforeAll(async () => {
  for (const built of builtEntries)
    if (!existsSync(built)) throw new Error(`${built} is missing: run "pnpm build" first (pnpm test does).`);
  const bundle = await bundleBuilt();
  pageServer = createServer((request, response) => {
    if (request.url === '/webcomm.js')
      return void response.writeHead(200, { 'content-type': 'text/javascript' }).end(bundle);
    response.writeHead(200, { 'content-type': 'text/html' })
      .end(`<!doctype html><title>game</title><script type="module">
      import * as webcomm from '/webcomm.js';
      window.webcomm = webcomm; window.events = []; window.ready = true;
    </script>`);
  });
  await new Promise<void>((resolve) => pageServer.listen(0, '127.0.0.1', resolve));
  pageUrl = `http://127.0.0.1:${(pageServer.address() as AddressInfo).port}/`;
  dataDir = await mkdtemp(join(tmpdir(), 'webcomm-e2e-'));
  await start();
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await emulator?.stop();
  await new Promise((resolve) => pageServer?.close(resolve));
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function openPage(): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(pageUrl);
  await page.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true);
  return page;
}

async function adminPublish(version: number): Promise<void> {
  const response = await fetch(`${emulator.endpoints.http}/admin/publish`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${emulator.adminToken}` },
    body: JSON.stringify({ channel: 'content-updates', message: { version } }),
  });
  expect(response.status).toBe(200);
}

const contentVersions = (page: Page): Promise<number[]> =>
  page.evaluate(() =>
    (window as unknown as { events: { type: string; version?: number }[] }).events
      .filter((e) => e.type === 'content')
      .map((e) => e.version ?? -1),
  );

describe('browser client in Chromium against the emulator', () => {
  it('registers, signs in as a Cognito guest, receives content updates, and survives an emulator restart', async () => {
    const page = await openPage();
    const clientId = await page.evaluate(async (serviceUrl) => {
      type W = { webcomm: Webcomm; events: unknown[]; client?: unknown };
      const w = window as unknown as W;
      const { client, registration } = await w.webcomm.connectToService({
        serviceUrl,
        storage: w.webcomm.memoryStorage(),
        backoff: { initialDelayMs: 100, maxDelayMs: 1_000 },
      });
      client.on('state', (s) => w.events.push({ type: 'state', to: s.to }));
      client.on('error', (e) => w.events.push({ type: 'error', code: e.code, message: e.message }));
      await client.subscribe<{ version: number }>(
        'content-updates',
        (update) => void w.events.push({ type: 'content', version: update.version }),
      );
      await client.connect();
      w.client = client;
      return registration.clientId;
    }, emulator.endpoints.http);
    expect(clientId).toMatch(/^local-1:/);
    await adminPublish(1);
    await page.waitForFunction(() =>
      (window as unknown as { events: { type: string }[] }).events.some((e) => e.type === 'content'),
    );
    expect(await contentVersions(page)).toEqual([1]);

    const { ports } = emulator.endpoints;
    await emulator.stop();
    await page.waitForFunction(() =>
      (window as unknown as { events: { type: string; to?: string }[] }).events.some((e) => e.to === 'reconnecting'),
    );
    await start(ports);
    await page.waitForFunction(
      () => {
        const events = (window as unknown as { events: { to?: string }[] }).events;
        return events.filter((e) => e.to === 'connected').length >= 2;
      },
      undefined,
      { timeout: 15_000 },
    );
    await adminPublish(2);
    await page.waitForFunction(
      () =>
        (window as unknown as { events: { type: string }[] }).events.filter((e) => e.type === 'content').length >= 2,
    );
    expect(await contentVersions(page)).toEqual([1, 2]);
    await page.evaluate(() => (window as unknown as { client: { close(): Promise<void> } }).client.close());
    await page.close();
  });

  it('expired credentials fail at once with BAD_CREDENTIALS naming the expiry; wrong ones say what to check', async () => {
    const page = await openPage();
    const outcome = await page.evaluate(async (endpoint) => {
      const { webcomm } = window as unknown as { webcomm: Webcomm };
      const expired = webcomm.createBrowserClient({
        endpoint,
        clientId: 'expired-client',
        auth: {
          type: 'sigv4',
          region: 'local-1',
          credentials: webcomm.staticCredentials({
            accessKeyId: 'AKIAEXPIRED',
            secretAccessKey: 'x',
            sessionToken: 't',
            expiration: new Date(Date.now() - 60_000),
          }),
        },
      });
      const expiredError = await expired.connect().then(
        () => undefined,
        (e: { code: string; message: string; fatal: boolean }) => e,
      );
      const wrong = webcomm.createBrowserClient({
        endpoint,
        clientId: 'wrong-client',
        backoff: { initialDelayMs: 60_000 },
        auth: {
          type: 'sigv4',
          region: 'local-1',
          credentials: webcomm.staticCredentials({ accessKeyId: 'AKIAWRONG', secretAccessKey: 'nope' }),
        },
      });
      const wrongError = await new Promise<{ code: string; message: string }>((resolve) => {
        wrong.on('reconnecting', ({ error }) => error && resolve({ code: error.code, message: error.message }));
        void wrong.connect().catch(() => undefined);
      });
      await wrong.close();
      await expired.close();
      return {
        expired: expiredError && { code: expiredError.code, message: expiredError.message, fatal: expiredError.fatal },
        wrong: wrongError,
      };
    }, emulator.endpoints.ws);
    expect(outcome.expired).toMatchObject({ code: 'WEBCOMM_BAD_CREDENTIALS', fatal: true });
    expect(outcome.expired?.message).toMatch(/expired/i);
    // Browsers hide the 403 of a refused upgrade (close code 1006): the message names both causes.
    expect(outcome.wrong.code).toBe('WEBCOMM_NETWORK');
    expect(outcome.wrong.message).toMatch(/credentials|refused/i);
    await page.close();
  });

  it('a ban hidden by the browser (refused upgrade = network error) is asked of the service: BANNED, and failed stays failed after the unban', async () => {
    const page = await openPage();
    const clientId = await page.evaluate(async (serviceUrl) => {
      type W = {
        webcomm: Webcomm;
        events: { type: string; to?: string; code?: string }[];
        client?: WebcommBrowser.WebcommClient;
        clock?: ManualClock;
      };
      const w = window as unknown as W;
      // Backoff delays pass at once on a manual clock; an advance by a day fires any timer left.
      const clock = new w.webcomm.ManualClock(Date.now());
      const { client, registration } = await w.webcomm.connectToService({
        serviceUrl,
        storage: w.webcomm.memoryStorage(),
        clock,
      });
      client.on('reconnecting', ({ delayMs }) => queueMicrotask(() => clock.advance(delayMs)));
      client.on('state', (s) =>
        w.events.push({
          type: 'state',
          to: s.to,
          ...(s.error
            ? { code: `${s.error.code}<${(s.error.cause as { code?: string } | undefined)?.code ?? ''}` }
            : {}),
        }),
      );
      await client.connect();
      w.client = client;
      w.clock = clock;
      return registration.clientId;
    }, emulator.endpoints.http);
    const setStatus = async (status: 'active' | 'banned'): Promise<void> => {
      const response = await fetch(`${emulator.endpoints.http}/admin/users/${encodeURIComponent(clientId)}/status`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${emulator.adminToken}` },
        body: JSON.stringify({ status }),
      });
      expect(response.status).toBe(200);
    };
    type E = { events: { type: string; to?: string; code?: string }[] };
    await setStatus('banned');
    await page.waitForFunction(() => (window as unknown as E).events.some((e) => e.to === 'failed'), undefined, {
      timeout: 15_000,
    });
    const failedWith = await page.evaluate(() => (window as unknown as E).events.find((e) => e.to === 'failed')?.code);
    // What Chromium showed was a network failure; the service said why.
    expect(failedWith).toBe('WEBCOMM_BANNED<WEBCOMM_NETWORK');
    await setStatus('active');
    const after = await page.evaluate(() => {
      const w = window as unknown as E & { clock: { advance(ms: number): void }; client: { state: string } };
      const before = w.events.length;
      w.clock.advance(24 * 3600_000);
      return { state: w.client.state, newEvents: w.events.length - before };
    });
    expect(after).toEqual({ state: 'failed', newEvents: 0 });
    expect(await adminClients()).not.toContain(clientId);
    // Only the user's connect() leaves failed.
    const leaves = await page.evaluate(() => {
      const w = window as unknown as { client: { state: string; connect(): Promise<void>; close(): Promise<void> } };
      void w.client.connect().catch(() => undefined);
      const state = w.client.state;
      return w.client.close().then(() => state);
    });
    expect(leaves).toBe('connecting');
    await page.close();
  });

  it('tabs of one origin share one connection, and another tab takes over when the leader closes', async () => {
    const context = await browser.newContext();
    const open = async (): Promise<Page> => {
      const page = await context.newPage();
      await page.goto(pageUrl);
      await page.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true);
      await page.evaluate(async (serviceUrl) => {
        type W = { webcomm: Webcomm; events: unknown[]; shared?: WebcommBrowser.SharedTabConnection };
        const w = window as unknown as W;
        const shared = w.webcomm.shareConnectionAcrossTabs(
          async () => (await w.webcomm.connectToService({ serviceUrl, storage: w.webcomm.memoryStorage() })).client,
          { name: 'e2e' },
        );
        shared.on('leader', () => w.events.push({ type: 'leader' }));
        await shared.subscribe<{ version: number }>(
          'webcomm/local/content-updates',
          (update) => void w.events.push({ type: 'content', version: update.version }),
        );
        w.shared = shared;
      }, emulator.endpoints.http);
      return page;
    };
    const isLeader = (page: Page): Promise<boolean> =>
      page.evaluate(() =>
        (window as unknown as { events: { type: string }[] }).events.some((e) => e.type === 'leader'),
      );
    const first = await open();
    await first.waitForFunction(() =>
      (window as unknown as { events: { type: string }[] }).events.some((e) => e.type === 'leader'),
    );
    await first.waitForFunction(() => (window as unknown as { shared: { isLeader: boolean } }).shared.isLeader);
    const second = await open();
    await expect.poll(async () => (await adminClients()).length, { interval: 50 }).toBe(1);
    expect(await isLeader(second)).toBe(false);

    await adminPublish(21);
    for (const page of [first, second])
      await page.waitForFunction(() =>
        (window as unknown as { events: { type: string; version?: number }[] }).events.some((e) => e.version === 21),
      );

    await first.close(); // the leader tab goes away: its lock is released
    await second.waitForFunction(
      () => (window as unknown as { events: { type: string }[] }).events.some((e) => e.type === 'leader'),
      undefined,
      { timeout: 15_000 },
    );
    await expect.poll(async () => (await adminClients()).length, { interval: 50, timeout: 10_000 }).toBe(1);
    await adminPublish(22);
    await second.waitForFunction(() =>
      (window as unknown as { events: { type: string; version?: number }[] }).events.some((e) => e.version === 22),
    );
    await context.close();
  });
});

async function adminClients(): Promise<string[]> {
  const response = await fetch(`${emulator.endpoints.http}/admin/clients`, {
    headers: { authorization: `Bearer ${emulator.adminToken}` },
  });
  return ((await response.json()) as { clients: string[] }).clients;
}
