/**
 * Fuzzing with fast-check: random options, topics and payloads into the client, random bodies
 * into the emulator's API. Every bad input must end in a typed WebcommError (or a JSON error
 * status), never a crash, a lost handler, or an emulator that stops serving.
 */
import fc from 'fast-check';
import { ERROR_CODES, IOT_CORE_LIMITS, isWebcommError, WebcommClient, type WebcommError } from '@webcomm/core';
// Internal validators, fuzzed directly: they are not public API.
import { resolveOptions } from '../../packages/core/src/resolve-options.js';
import { assertFilter, assertPublishTopic } from '../../packages/core/src/inbound/topic-rules.js';
import { silentLogger, startEmulator, type RunningEmulator } from '@webcomm/emulator';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type TestBroker } from '../helpers/broker.js';
import { tcpTransport } from '../helpers/tcp-transport.js';

/** Runs `fn`; passes when it returns, or throws a WebcommError with one of `codes`. */
function onlyTyped(fn: () => unknown, codes: readonly string[]): boolean {
  try {
    fn();
    return true;
  } catch (error) {
    if (!isWebcommError(error)) throw new Error(`untyped ${(error as Error)?.name}: ${(error as Error)?.message}`);
    return codes.includes(error.code);
  }
}

describe('fuzz: client inputs', () => {
  it('random option objects are accepted or refused with INVALID_OPTION, never a crash', () => {
    const transport = tcpTransport(1);
    fc.assert(
      fc.property(fc.object({ maxDepth: 2 }), fc.anything(), (random, clientId) => {
        expect(
          onlyTyped(() => resolveOptions({ ...random, transport, clientId } as never), [ERROR_CODES.INVALID_OPTION]),
        ).toBe(true);
        expect(onlyTyped(() => resolveOptions(random as never), [ERROR_CODES.INVALID_OPTION])).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('random topics and filters pass or fail with INVALID_TOPIC naming the rule', () => {
    const topic = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.stringMatching(/^[a-z+#/$]{0,40}$/),
      fc.string({ unit: 'binary', maxLength: 50 }),
    );
    fc.assert(
      fc.property(topic, (t) => {
        expect(onlyTyped(() => assertFilter(t, IOT_CORE_LIMITS), [ERROR_CODES.INVALID_TOPIC])).toBe(true);
        expect(onlyTyped(() => assertPublishTopic(t, IOT_CORE_LIMITS), [ERROR_CODES.INVALID_TOPIC])).toBe(true);
      }),
      { numRuns: 1_000 },
    );
  });
});

describe('fuzz: payloads through a real broker', () => {
  let broker: TestBroker;
  beforeAll(async () => {
    broker = await startBroker();
  });
  afterAll(async () => {
    await broker.stop();
  });

  it('malformed, non-UTF-8 and oversized payloads become DECODE_FAILED errors; no handler is lost', async () => {
    const client = new WebcommClient({ transport: tcpTransport(broker.port), clientId: 'fuzz-sub' });
    await client.connect();
    const decoded: unknown[] = [];
    const raw: Uint8Array[] = [];
    const errors: WebcommError[] = [];
    client.on('error', (e) => errors.push(e));
    await client.subscribe('fuzz/json', (m) => void decoded.push(m));
    await client.subscribe('fuzz/json', (m) => void raw.push(m as Uint8Array), { decode: 'raw' });
    const payloads = fc.sample(
      fc.oneof(
        fc.uint8Array({ maxLength: 64 }),
        fc.string().map((s) => new TextEncoder().encode(s)),
        fc.json().map((s) => new TextEncoder().encode(s)),
        fc.constant(new Uint8Array([0xff, 0xfe, 0x7b])),
        fc.constant(new Uint8Array(200_000).fill(0x7b)),
      ),
      { numRuns: 300, seed: 42 },
    );
    const publish = (payload: Uint8Array): Promise<void> =>
      new Promise((resolve, reject) =>
        broker.aedes.publish(
          { cmd: 'publish', topic: 'fuzz/json', payload: Buffer.from(payload), qos: 0, retain: false, dup: false },
          (e) => (e ? reject(e) : resolve()),
        ),
      );
    for (const payload of payloads) await publish(payload);
    // A good message after all that still reaches both handlers: nothing was lost or unsubscribed.
    const last = new Promise<void>((resolve) =>
      client.on('message', (m) => new TextDecoder().decode(m.payload) === '{"done":true}' && resolve()),
    );
    await publish(new TextEncoder().encode('{"done":true}'));
    await last;
    expect(decoded.at(-1)).toEqual({ done: true });
    expect(raw).toHaveLength(payloads.length + 1);
    expect(errors.every((e) => e.code === ERROR_CODES.DECODE_FAILED && e.topic === 'fuzz/json')).toBe(true);
    expect(decoded.length + errors.length).toBe(payloads.length + 1);
    expect(client.state).toBe('connected');
    await client.close();
  });
});

describe('fuzz: the emulator API', () => {
  let emulator: RunningEmulator;
  let dataDir = '';
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'webcomm-fuzz-'));
    emulator = await startEmulator({ dataDir, logger: silentLogger });
  });
  afterAll(async () => {
    await emulator.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('random bodies get JSON errors with 4xx statuses, never a 500, and the emulator keeps serving', async () => {
    const registration = (await (
      await fetch(`${emulator.endpoints.http}/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"type":"WEBSOCKET"}',
      })
    ).json()) as { serviceToken: string };
    const bodies = fc.sample(
      fc.oneof(
        fc.json(),
        fc.string(),
        fc.record({ type: fc.string(), clientId: fc.anything() }).map((o) => JSON.stringify(o)),
        fc.record({ channel: fc.string(), message: fc.jsonValue() }).map((o) => JSON.stringify(o)),
      ),
      { numRuns: 120, seed: 7 },
    );
    const paths = [
      'register',
      'publish',
      'admin/publish',
      `admin/users/${encodeURIComponent('x y')}/status`,
      'channels',
    ];
    const statuses = new Set<number>();
    for (const [index, body] of bodies.entries()) {
      const path = paths[index % paths.length] ?? 'register';
      const token = path.startsWith('admin') ? emulator.adminToken : registration.serviceToken;
      const response = await fetch(`${emulator.endpoints.http}/${path}`, {
        method: path.endsWith('status') ? 'PUT' : path === 'channels' ? 'GET' : 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        ...(path === 'channels' ? {} : { body }),
      });
      statuses.add(response.status);
      expect(response.status, `${path} ${body.slice(0, 80)}`).toBeLessThan(500);
      const answer = (await response.json()) as { error?: { code: string } };
      if (response.status >= 400) expect(typeof answer.error?.code).toBe('string');
    }
    expect([...statuses].some((s) => s >= 400)).toBe(true);
    const still = await fetch(`${emulator.endpoints.http}/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${emulator.adminToken}` },
      body: '{"type":"OPENSSL"}',
    });
    expect(still.status).toBe(200);
  });
});
