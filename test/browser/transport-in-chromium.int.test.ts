/**
 * @webcomm/browser's WebSocket transport in real Chromium (Debian's /usr/bin/chromium through
 * playwright-core), with MQTT.js bundled from its sources by esbuild for the browser, against a
 * real aedes broker behind a `ws` server on 127.0.0.1. Also pins down what MQTT.js's sources
 * need in a browser: no `Buffer` global (the `buffer` package is imported explicitly), but a
 * `process` with `nextTick`.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWsBroker } from '../../packages/aws/src/ws-broker.fixture.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const esbuild = createRequire(createRequire(join(root, 'package.json')).resolve('tsup/package.json'))('esbuild') as {
  build(options: Record<string, unknown>): Promise<{ outputFiles: { text: string }[] }>;
};

const ownEntry = `
import { presignIotUrl, staticCredentials } from '@webcomm/browser';
export async function sign() {
  const credentials = await staticCredentials({ accessKeyId: 'AKID', secretAccessKey: 'secret', sessionToken: 'tok' })();
  return presignIotUrl({ endpoint: 'abc-ats.iot.eu-west-1.amazonaws.com', credentials, signingDate: new Date('2026-11-24T18:30:05Z') });
}
`;

const entry = `
import { webSocketTransport } from '@webcomm/browser';
import MqttClient from 'mqtt/lib/client';
const ctx = () => ({ attempt: 1, clientId: 'b', signal: new AbortController().signal });
export async function roundTrip(url, count) {
  const transport = webSocketTransport({ endpoint: url, auth: { type: 'none' } });
  const link = await transport.open(ctx());
  const client = new MqttClient(() => link.stream, { protocolVersion: 4, reconnectPeriod: 0, clientId: 'chromium', keepalive: 0 });
  await new Promise((resolve, reject) => { client.once('connect', resolve); client.once('error', reject); });
  const received = [];
  const all = new Promise((resolve) => client.on('message', (t, p) => { received.push(p.toString()); if (received.length === count) resolve(); }));
  await client.subscribeAsync('game/news', { qos: 0 });
  for (let i = 0; i < count; i++) {
    client.publish('game/news', 'm' + i, { qos: 0 });
    await new Promise((r) => setTimeout(r, 0));
  }
  await all;
  client.end(true);
  return received;
}
export async function refused(url) {
  const transport = webSocketTransport({ endpoint: url, auth: { type: 'none' } });
  const link = await transport.open(ctx());
  const error = await new Promise((resolve) => link.stream.once('error', resolve));
  const typed = transport.classifyError(error);
  return { linkCode: error.code, closeCode: error.closeCode, httpStatus: error.httpStatus ?? null, code: typed.code, fatal: typed.fatal };
}
`;

async function bundle(inject: string[], contents = entry): Promise<string> {
  const result = await esbuild.build({
    stdin: { contents, resolveDir: join(root, 'packages/aws/src'), sourcefile: 'probe.js' },
    bundle: true,
    format: 'iife',
    globalName: 'probe',
    platform: 'browser',
    target: 'es2022',
    write: false,
    inject,
    logLevel: 'silent',
    plugins: [
      {
        name: 'workspace-sources',
        setup(build: { onResolve(o: { filter: RegExp }, cb: (a: { path: string }) => { path: string }): void }) {
          build.onResolve({ filter: /^@webcomm\/(core|aws|browser)$/ }, (a) => ({
            path: join(root, 'packages', a.path.slice(9), 'src/index.ts'),
          }));
        },
      },
    ],
  });
  return (result.outputFiles[0] as { text: string }).text;
}

interface Probe {
  sign(): Promise<string>;
  roundTrip(url: string, count: number): Promise<string[]>;
  refused(
    url: string,
  ): Promise<{ linkCode: string; closeCode: number; httpStatus: number | null; code: string; fatal: boolean }>;
}

let browser: Browser;
beforeAll(async () => {
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
});
afterAll(() => browser?.close());

async function pageWith(script: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.setContent('<!doctype html><title>probe</title>');
  await page.addScriptTag({ content: script }).catch((e: Error) => errors.push(e.message));
  return { page, errors };
}

describe('WebSocket transport in Chromium', () => {
  it('@webcomm/browser alone loads with no shim and presigns exactly as in Node', async () => {
    const { page, errors } = await pageWith(await bundle([], ownEntry));
    expect(errors).toEqual([]);
    const inBrowser = await page.evaluate(() => (globalThis as unknown as { probe: Probe }).probe.sign());
    const { presignIotUrl } = await import('../../packages/aws/src/presign-iot-url.js');
    const inNode = await presignIotUrl({
      endpoint: 'abc-ats.iot.eu-west-1.amazonaws.com',
      credentials: { accessKeyId: 'AKID', secretAccessKey: 'secret', sessionToken: 'tok' },
      signingDate: new Date('2026-11-24T18:30:05Z'),
    });
    expect(inBrowser).toBe(inNode);
    await page.close();
  });

  it("MQTT.js's sources fail to load without a process (no Buffer global is needed)", async () => {
    const { page, errors } = await pageWith(await bundle([]));
    expect(errors.join('\n')).toMatch(/process is not defined/);
    expect(errors.join('\n')).not.toMatch(/Buffer is not defined/);
    await page.close();
  });

  it('with a module-scoped process shim: one WebSocket frame per publish, every message back', async () => {
    const b = await startWsBroker();
    try {
      const { page, errors } = await pageWith(await bundle([join(root, 'packages/core/src/process-shim.ts')]));
      expect(errors).toEqual([]);
      b.framesIn = 0;
      const received = await page.evaluate(
        ([url]) => (globalThis as unknown as { probe: Probe }).probe.roundTrip(url as string, 50),
        [b.url],
      );
      expect(received).toEqual(Array.from({ length: 50 }, (_, i) => `m${i}`));
      // CONNECT + SUBSCRIBE + 50 PUBLISH (+ DISCONNECT is not sent: end(true)).
      expect(b.framesIn).toBe(52);
      await page.close();
    } finally {
      await b.close();
    }
  });

  it('a 403 on the upgrade reaches the page as close code 1006 with no status: classified NETWORK, not fatal', async () => {
    const b = await startWsBroker({ refuse: () => 403 });
    try {
      const { page } = await pageWith(await bundle([join(root, 'packages/core/src/process-shim.ts')]));
      const seen = await page.evaluate(
        ([url]) => (globalThis as unknown as { probe: Probe }).probe.refused(url as string),
        [b.url],
      );
      expect(seen).toEqual({
        linkCode: 'WEBSOCKET_UPGRADE_FAILED',
        closeCode: 1006,
        httpStatus: null,
        code: 'WEBCOMM_NETWORK',
        fatal: false,
      });
      await page.close();
    } finally {
      await b.close();
    }
  });

  it('a server that accepts and closes with 4403 is seen as a fatal NOT_AUTHORIZED', async () => {
    const b = await startWsBroker({ raw: true, onSocket: (s) => s.close(4403, 'forbidden') });
    try {
      const { page } = await pageWith(await bundle([join(root, 'packages/core/src/process-shim.ts')]));
      const seen = await page.evaluate(
        ([url]) => (globalThis as unknown as { probe: Probe }).probe.refused(url as string),
        [b.url],
      );
      expect(seen).toMatchObject({
        linkCode: 'WEBSOCKET_CLOSED',
        closeCode: 4403,
        code: 'WEBCOMM_NOT_AUTHORIZED',
        fatal: true,
      });
      await page.close();
    } finally {
      await b.close();
    }
  });
});
