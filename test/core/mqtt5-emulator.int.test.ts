/**
 * MQTT 5 between the client and the emulator (aedes 2): the server says why a link ends, so
 * the client knows instead of guessing. DISCONNECT 0x8E is TAKEN_OVER at the first time (the
 * 3.1.1 heuristic needs two quick drops in a row); a ban's DISCONNECT 0x98 is KICKED, then BANNED
 * after the service's status check, without a reconnect attempt.
 */
import { createNodeClient, type NodeClient } from '@webcomm/node';
import {
  ERROR_CODES,
  leanEngine,
  WebcommClient,
  type MqttEngine,
  type StateChange,
  type TakenOverInfo,
  type WebcommError,
} from '@webcomm/core';
import { mqttJsEngine } from '@webcomm/core/mqttjs';
import { startEmulator, silentLogger, type RunningEmulator } from '@webcomm/emulator';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nextEvent, record } from '../helpers/events.js';
import { tcpTransport } from '../helpers/tcp-transport.js';

let dataDir = '';
let emulator: RunningEmulator;
const cleanups: (() => Promise<void>)[] = [];

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'webcomm-mqtt5-'));
  emulator = await startEmulator({ dataDir, logger: silentLogger, allowAnonymous: true });
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await emulator.stop();
  await rm(dataDir, { recursive: true, force: true });
});

/** The engine the current `describe.each` round runs on. */
let engine: MqttEngine = mqttJsEngine;

function twin(onTakeover: 'backoff' | 'stop', protocolVersion: 4 | 5): WebcommClient {
  const c = new WebcommClient({
    transport: tcpTransport(emulator.endpoints.ports.mqtt),
    engine,
    clientId: 'same-id',
    protocolVersion,
    onTakeover,
    // The 3.1.1 heuristic counts only drops within this window of CONNACK: 0 turns it off.
    takeoverWindowMs: 0,
    backoff: { initialDelayMs: 5, maxDelayMs: 50 },
  });
  cleanups.push(() => c.close());
  return c;
}

describe.each([mqttJsEngine, leanEngine])('MQTT 5 against the emulator, engine $name', (current) => {
  beforeEach(() => {
    engine = current;
  });

  it('DISCONNECT 0x8E is TAKEN_OVER at once, no heuristic: the older client stops on the first takeover', async () => {
    const first = twin('stop', 5);
    const takeovers = record(first, 'takenOver');
    await first.connect();
    const failed = nextEvent(first, 'state', ({ to }) => to === 'failed');
    const second = twin('stop', 5);
    await second.connect();
    const [{ error }] = await failed;
    expect([error?.code, error?.message]).toEqual([ERROR_CODES.TAKEN_OVER, expect.stringMatching(/DISCONNECT 0x8E/)]);
    expect(takeovers).toEqual([[{ count: 1, action: 'stop' } satisfies TakenOverInfo]]);
    expect(second.state).toBe('connected');
  });

  it("with onTakeover 'backoff' the disconnect says TAKEN_OVER and the retry backs off as a failure", async () => {
    const first = twin('backoff', 5);
    await first.connect();
    const disconnected = nextEvent(first, 'disconnected');
    const reconnecting = nextEvent(first, 'reconnecting');
    const second = twin('backoff', 5);
    await second.connect();
    const [{ reason }] = await disconnected;
    const [{ error }] = await reconnecting;
    expect([reason, error?.code]).toEqual([ERROR_CODES.TAKEN_OVER, ERROR_CODES.TAKEN_OVER]);
  });

  it('on MQTT 3.1.1 the same single takeover is a plain close (NETWORK), as before', async () => {
    const first = twin('stop', 4);
    await first.connect();
    const disconnected = nextEvent(first, 'disconnected');
    const second = twin('stop', 4);
    await second.connect();
    const [{ reason }] = await disconnected;
    expect(reason).toBe(ERROR_CODES.NETWORK);
  });

  it('a ban ends the live link with 0x98: KICKED, then BANNED from the status check, with no reconnect attempt', async () => {
    const client: NodeClient = await createNodeClient({
      serviceUrl: emulator.endpoints.http,
      adminToken: emulator.adminToken,
      cacheDir: join(dataDir, 'id'),
      protocolVersion: 5,
      engine,
    });
    cleanups.push(() => client.close());
    const states: StateChange[] = [];
    client.on('state', (change) => states.push(change));
    const disconnects = record(client, 'disconnected');
    await client.connect();
    const failed = nextEvent(client, 'state', ({ to }) => to === 'failed');
    const response = await fetch(
      `${emulator.endpoints.http}/admin/users/${encodeURIComponent(client.registration.clientId)}/status`,
      {
        method: 'PUT',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${emulator.adminToken}` },
        body: JSON.stringify({ status: 'banned' }),
      },
    );
    expect(response.status).toBe(200);
    const [{ error }] = await failed;
    expect([error?.code, (error?.cause as WebcommError | undefined)?.code]).toEqual([
      ERROR_CODES.BANNED,
      ERROR_CODES.KICKED,
    ]);
    expect(disconnects.map(([d]) => d.reason)).toEqual([ERROR_CODES.KICKED]);
    // connected → reconnecting (link lost) → failed, and no attempt in between.
    expect(states.map((s) => `${s.from}>${s.to}`)).toEqual([
      'idle>connecting',
      'connecting>connected',
      'connected>reconnecting',
      'reconnecting>failed',
    ]);
  });
});
