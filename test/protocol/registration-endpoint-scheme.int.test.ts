/**
 * The WebSocket endpoint a registration answers follows the scheme it came over: over HTTP the
 * emulator's `ws://`, over HTTPS `wss://` (a page served over HTTPS may not open `ws://`). It was
 * `ws://` whatever the scheme (docs/protocol.md, `endpoint`).
 */
import { request } from 'node:https';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger, startEmulator, type RunningEmulator } from '@webcomm/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let emulator: RunningEmulator;
let dataDir = '';

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'webcomm-endpoint-scheme-'));
  emulator = await startEmulator({ dataDir, logger: silentLogger });
});
afterAll(async () => {
  await emulator?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

type Endpoint = { host: string; port: number; url: string };

function registerOverHttps(): Promise<{ status: number; endpoint: Endpoint }> {
  return new Promise((resolve, reject) => {
    const call = request(
      `${emulator.endpoints.https}/register`,
      { method: 'POST', ca: emulator.caPem, headers: { 'content-type': 'application/json' } },
      (response) => {
        let text = '';
        response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            endpoint: (JSON.parse(text) as { endpoint: Endpoint }).endpoint,
          }),
        );
      },
    );
    call.on('error', reject);
    call.end(JSON.stringify({ type: 'WEBSOCKET' }));
  });
}

describe('the registration endpoint scheme', () => {
  it('is ws:// (the HTTP port) for a registration over HTTP', async () => {
    const response = await fetch(`${emulator.endpoints.http}/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'WEBSOCKET' }),
    });
    const { endpoint } = (await response.json()) as { endpoint: Endpoint };
    expect(endpoint).toEqual({ host: '127.0.0.1', port: emulator.endpoints.ports.http, url: emulator.endpoints.ws });
  });

  it('is wss:// (the HTTPS port) for a registration over HTTPS', async () => {
    const { status, endpoint } = await registerOverHttps();
    expect(status).toBe(200);
    expect(endpoint).toEqual({ host: '127.0.0.1', port: emulator.endpoints.ports.https, url: emulator.endpoints.wss });
    expect(endpoint.url).toMatch(/^wss:\/\//);
  });
});
