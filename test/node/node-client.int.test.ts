/**
 * @webcomm/node against the real emulator: registration, the on-disk cache, mutual TLS with
 * the certificate it issued, ALPN, one re-registration after revocation, and bans.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, silentLogger, type RunningEmulator } from '@webcomm/emulator';
import {
  cachedIdentityFiles,
  ContentWatcher,
  createNodeClient,
  ERROR_CODES,
  type ContentChange,
  type NodeClient,
} from '@webcomm/node';
import { afterEach, describe, expect, it } from 'vitest';
import { nextEvent } from '../helpers/events.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(): Promise<{
  emulator: RunningEmulator;
  cacheDir: string;
  registrations: () => number;
  fetchCounting: typeof fetch;
}> {
  const dataDir = await mkdtemp(join(tmpdir(), 'webcomm-node-emu-'));
  const cacheDir = join(await mkdtemp(join(tmpdir(), 'webcomm-node-cache-')), 'identity');
  const emulator = await startEmulator({ dataDir, logger: silentLogger });
  cleanups.push(async () => {
    await emulator.stop();
    await rm(dataDir, { recursive: true, force: true });
    await rm(join(cacheDir, '..'), { recursive: true, force: true });
  });
  let count = 0;
  // Counts the real requests to /register; everything goes over real HTTP.
  const fetchCounting: typeof fetch = (input, init) => {
    if (String(input).endsWith('/register')) count += 1;
    return fetch(input, init);
  };
  return { emulator, cacheDir, registrations: () => count, fetchCounting };
}

async function adminPublish(emulator: RunningEmulator, body: unknown): Promise<void> {
  const response = await fetch(`${emulator.endpoints.http}/admin/publish`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${emulator.adminToken}` },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(200);
}

function track(client: NodeClient): NodeClient {
  cleanups.push(() => client.close());
  return client;
}

describe('@webcomm/node against the emulator', () => {
  it('registers once, caches with safe modes, reuses the cache, and receives pushed content over mTLS', async () => {
    const { emulator, cacheDir, registrations, fetchCounting } = await setup();
    const first = track(
      await createNodeClient({
        serviceUrl: emulator.endpoints.http,
        adminToken: emulator.adminToken,
        cacheDir,
        fetch: fetchCounting,
      }),
    );
    expect(first.fromCache).toBe(false);
    expect(registrations()).toBe(1);
    const files = cachedIdentityFiles(cacheDir);
    expect((await stat(cacheDir)).mode & 0o777).toBe(0o700);
    expect((await stat(files.privateKey)).mode & 0o777).toBe(0o600);
    expect((await stat(files.registration)).mode & 0o777).toBe(0o600);
    await first.connect();
    const got: unknown[] = [];
    await first.subscribe('content-updates', (m) => void got.push(m));
    const message = nextEvent(first, 'message');
    await adminPublish(emulator, { channel: 'content-updates', message: { version: 7 } });
    await message;
    expect(got).toEqual([{ version: 7 }]);
    await first.close();

    const second = track(
      await createNodeClient({
        serviceUrl: emulator.endpoints.http,
        adminToken: emulator.adminToken,
        cacheDir,
        fetch: fetchCounting,
      }),
    );
    expect(second.fromCache).toBe(true);
    expect(second.registration.clientId).toBe(first.registration.clientId);
    await second.connect();
    expect(registrations()).toBe(1);
  });

  it('negotiates ALPN x-amzn-mqtt-ca (IoT Core on 443) with the emulator', async () => {
    const { emulator, cacheDir } = await setup();
    const client = track(
      await createNodeClient({
        serviceUrl: emulator.endpoints.http,
        adminToken: emulator.adminToken,
        cacheDir,
        tls: { alpn: 'x-amzn-mqtt-ca' },
      }),
    );
    await client.connect();
    expect(client.state).toBe('connected');
  });

  it('a revoked cached certificate triggers exactly one re-registration, under the same client id', async () => {
    const { emulator, cacheDir, registrations, fetchCounting } = await setup();
    const first = track(
      await createNodeClient({
        serviceUrl: emulator.endpoints.http,
        adminToken: emulator.adminToken,
        cacheDir,
        fetch: fetchCounting,
      }),
    );
    const clientId = first.registration.clientId;
    await first.close();
    await emulator.ca.revokeClient(clientId);
    // No admin token now: the owner renews its own certificate with its service token.
    const second = track(
      await createNodeClient({ serviceUrl: emulator.endpoints.http, cacheDir, fetch: fetchCounting }),
    );
    expect(second.fromCache).toBe(true);
    await second.connect();
    expect(registrations()).toBe(2);
    expect(second.fromCache).toBe(false);
    expect(second.registration.clientId).toBe(clientId);
  });

  it('a banned client fails with BANNED (the service says so on the refusal), never re-registers, never retries', async () => {
    const { emulator, cacheDir, registrations, fetchCounting } = await setup();
    const first = track(
      await createNodeClient({
        serviceUrl: emulator.endpoints.http,
        adminToken: emulator.adminToken,
        cacheDir,
        fetch: fetchCounting,
      }),
    );
    await first.connect();
    const failed = nextEvent(first, 'state', (s) => s.to === 'failed' || s.to === 'reconnecting');
    const ban = await fetch(
      `${emulator.endpoints.http}/admin/users/${encodeURIComponent(first.registration.clientId)}/status`,
      {
        method: 'PUT',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${emulator.adminToken}` },
        body: JSON.stringify({ status: 'banned' }),
      },
    );
    expect(ban.status).toBe(200);
    const [change] = await failed;
    // The live link is dropped; the reconnect is refused, the service says banned: fatal, no storm.
    if (change.to === 'reconnecting') await nextEvent(first, 'state', (s) => s.to === 'failed');
    expect(first.state).toBe('failed');
    await first.close();
    const second = track(
      await createNodeClient({ serviceUrl: emulator.endpoints.http, cacheDir, fetch: fetchCounting }),
    );
    await expect(second.connect()).rejects.toMatchObject({ code: ERROR_CODES.BANNED, fatal: true });
    // The refusal was explained by GET /status: no re-registration of the cached identity.
    expect(registrations()).toBe(1);
  });

  it('content versions: a server offline across three updates wakes up to one event naming the newest', async () => {
    const { emulator, cacheDir } = await setup();
    const saved = new Map<string, number>();
    const store = { load: (c: string) => saved.get(c), save: (c: string, v: number) => void saved.set(c, v) };
    const watch = async (): Promise<{
      client: NodeClient;
      changes: ContentChange[];
      first: Promise<ContentChange>;
    }> => {
      const client = track(
        await createNodeClient({ serviceUrl: emulator.endpoints.http, adminToken: emulator.adminToken, cacheDir }),
      );
      await client.connect();
      const watcher = new ContentWatcher(client, { channel: 'content-updates', store });
      const changes: ContentChange[] = [];
      watcher.on('contentChanged', (c) => changes.push(c));
      // Listen before start(): the retained latest can arrive with the SUBACK.
      const first = new Promise<ContentChange>((resolve) => watcher.once('contentChanged', resolve));
      await watcher.start();
      return { client, changes, first };
    };
    await adminPublish(emulator, { channel: 'content-updates', message: { version: 1 } });
    const online = await watch();
    await online.first; // the retained v1, on subscribe
    await online.client.close();
    for (const version of [2, 3, 4])
      await adminPublish(emulator, {
        channel: 'content-updates',
        message: { version, url: `https://cdn/v${version}` },
      });
    const back = await watch();
    expect(await back.first).toMatchObject({ from: 1, to: 4, missed: 2, update: { url: 'https://cdn/v4' } });
    expect(back.changes).toHaveLength(1);
  });
});
