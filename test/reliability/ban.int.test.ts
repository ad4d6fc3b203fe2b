/**
 * A real ban on the emulator (issue 12, item 7). The banned client's live link drops, its
 * reconnect is refused (CONNACK 5), it asks the service for its status (`GET /status`) and fails
 * with BANNED, not NOT_AUTHORIZED. `failed` is terminal: after an unban nothing happens until the
 * user calls connect() again (time is a ManualClock, advanced by a day: any timer the client
 * held would have fired). Then connect() registers a fresh certificate (the ban revoked the
 * old one) and connects.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger, startEmulator, type RunningEmulator } from '@webcomm/emulator';
import { ManualClock } from '@webcomm/core/testing';
import { createNodeClient, ERROR_CODES, type NodeClient, type StateChange, type WebcommError } from '@webcomm/node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nextEvent } from '../helpers/events.js';

let emulator: RunningEmulator;
let dataDir: string;
let client: NodeClient | undefined;

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'webcomm-ban-'));
  emulator = await startEmulator({ dataDir, logger: silentLogger });
});
afterEach(async () => {
  await client?.close();
  client = undefined;
  await emulator.stop();
  await rm(dataDir, { recursive: true, force: true });
});

async function setStatus(id: string, status: 'active' | 'banned'): Promise<void> {
  const response = await fetch(`${emulator.endpoints.http}/admin/users/${encodeURIComponent(id)}/status`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${emulator.adminToken}` },
    body: JSON.stringify({ status }),
  });
  expect(response.status).toBe(200);
}

async function connectedIds(): Promise<string[]> {
  const response = await fetch(`${emulator.endpoints.http}/admin/clients`, {
    headers: { authorization: `Bearer ${emulator.adminToken}` },
  });
  return ((await response.json()) as { clients: string[] }).clients;
}

describe('a banned client (emulator)', () => {
  it('GET /status answers the caller its status, also while banned, and only with its service token', async () => {
    client = await createNodeClient({
      serviceUrl: emulator.endpoints.http,
      adminToken: emulator.adminToken,
      cacheDir: join(dataDir, 'id'),
    });
    const { clientId, serviceToken } = client.registration;
    const ask = (token: string): Promise<Response> =>
      fetch(`${emulator.endpoints.http}/status`, { headers: { authorization: `Bearer ${token}` } });
    expect(await (await ask(serviceToken)).json()).toEqual({ clientId, status: 'active' });
    await setStatus(clientId, 'banned');
    expect(await (await ask(serviceToken)).json()).toEqual({ clientId, status: 'banned' });
    expect((await ask('not-a-token')).status).toBe(401);
    expect((await fetch(`${emulator.endpoints.http}/status`)).status).toBe(401);
  });

  it('fails with BANNED, stays failed after the unban until connect() is called, then connects again', async () => {
    const clock = new ManualClock(Date.now());
    client = await createNodeClient({
      serviceUrl: emulator.endpoints.http,
      adminToken: emulator.adminToken,
      cacheDir: join(dataDir, 'id'),
      clock,
    });
    const c = client;
    // Backoff delays pass at once on the manual clock.
    c.on('reconnecting', ({ delayMs }) => queueMicrotask(() => clock.advance(delayMs)));
    const states: StateChange[] = [];
    c.on('state', (change) => states.push(change));
    const errors: WebcommError[] = [];
    c.on('error', (error) => errors.push(error));
    await c.connect();
    const clientId = c.registration.clientId;

    const failed = nextEvent(c, 'state', (s) => s.to === 'failed');
    await setStatus(clientId, 'banned');
    const [change] = await failed;
    expect(change.error?.code).toBe(ERROR_CODES.BANNED);
    expect(change.error?.fatal).toBe(true);
    expect((change.error?.cause as WebcommError | undefined)?.code).toBe(ERROR_CODES.NOT_AUTHORIZED);
    expect(change.error?.message).toContain(clientId);
    expect(errors.map((e) => e.code)).toEqual([ERROR_CODES.BANNED]);
    expect(states.map((s) => `${s.from}>${s.to}`)).toEqual([
      'idle>connecting',
      'connecting>connected',
      'connected>reconnecting',
      'reconnecting>failed',
    ]);

    await setStatus(clientId, 'active');
    clock.advance(24 * 3600_000);
    expect(await connectedIds()).not.toContain(clientId);
    expect(c.state).toBe('failed');
    expect(states).toHaveLength(4);

    await c.connect();
    expect(c.state).toBe('connected');
    expect(states.slice(4).map((s) => `${s.from}>${s.to}`)[0]).toBe('failed>connecting');
    expect(await connectedIds()).toContain(c.registration.clientId);
  });
});
