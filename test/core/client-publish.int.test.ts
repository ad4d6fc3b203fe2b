import {
  ERROR_CODES,
  WebcommClient,
  type ChannelPublisher,
  type OutgoingMessage,
  type WebcommClientOptions,
  type WebcommError,
} from '@webcomm/core';
import { ManualClock } from '@webcomm/core/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startBroker, type TestBroker } from '../helpers/broker.js';
import { tcpTransport } from '../helpers/tcp-transport.js';

let b: TestBroker;
const clients: WebcommClient[] = [];
let received: string[];

beforeEach(async () => {
  b = await startBroker();
  received = [];
  b.aedes.on('publish', (packet, from) => {
    if (from) received.push(packet.payload.toString());
  });
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await b.stop();
});

function make(over: Partial<WebcommClientOptions> = {}): { c: WebcommClient; clock: ManualClock } {
  const clock = new ManualClock();
  const c = new WebcommClient({
    transport: tcpTransport(b.port),
    clientId: `pub${clients.length}`,
    clock,
    channels: [{ name: 'out', topic: 'game/out', publish: 'broker' }],
    ...over,
  });
  clients.push(c);
  return { c, clock };
}

/** Settles each promise into "ok" or its error code. */
const outcome = (p: Promise<unknown>): Promise<string> =>
  p.then(
    () => 'ok',
    (e: WebcommError) => e.code,
  );

describe('publishing and the offline queue (real aedes, real TCP)', () => {
  it('QoS 1 resolves on PUBACK, QoS 0 once written', async () => {
    const { c } = make();
    await c.connect();
    await c.publish('out', 'q1', { qos: 1 });
    expect(received).toEqual(['q1']);
    await c.publish('out', { n: 0 });
    await c.publish('out', 'q1b', { qos: 1 }); // ordered behind the QoS 0 message
    expect(received).toEqual(['q1', '{"n":0}', 'q1b']);
  });

  it('drop-oldest: queues offline within bounds, rejects the evicted, flushes the rest on connect', async () => {
    const { c } = make({ queue: { maxCount: 2, overflow: 'drop-oldest' } });
    const results = ['a', 'b', 'c'].map((m) => outcome(c.publish('out', m, { qos: 1 })));
    expect(await results[0]).toBe(ERROR_CODES.QUEUE_FULL);
    await c.connect();
    expect(await Promise.all(results)).toEqual([ERROR_CODES.QUEUE_FULL, 'ok', 'ok']);
    expect(received).toEqual(['b', 'c']);
  });

  it('reject / drop-newest refuse the new message; maxBytes bounds too', async () => {
    for (const overflow of ['reject', 'drop-newest'] as const) {
      received.length = 0;
      const { c } = make({ queue: { maxCount: 10, maxBytes: 40, overflow } });
      const results = ['x'.repeat(20), 'y'.repeat(10), 'z'.repeat(10)].map((m) =>
        outcome(c.publish('out', m, { qos: 1 })),
      );
      await c.connect();
      expect(await Promise.all(results)).toEqual(['ok', ERROR_CODES.QUEUE_FULL, ERROR_CODES.QUEUE_FULL]);
      expect(received).toEqual(['x'.repeat(20)]);
      await c.close();
    }
  });

  it('expires queued messages after ttl, times out, aborts; none of them is sent later', async () => {
    const { c, clock } = make({ queue: { ttlMs: 5000 }, publishTimeoutMs: 3000 });
    const expired = outcome(c.publish('out', 'ttl', { timeoutMs: 60_000 }));
    const timedOut = outcome(c.publish('out', 'timeout'));
    const controller = new AbortController();
    const aborted = outcome(c.publish('out', 'abort', { signal: controller.signal, timeoutMs: 60_000 }));
    controller.abort();
    expect(await aborted).toBe(ERROR_CODES.ABORTED);
    clock.advance(3000);
    expect(await timedOut).toBe(ERROR_CODES.TIMEOUT);
    clock.advance(2000);
    expect(await expired).toBe(ERROR_CODES.MESSAGE_EXPIRED);
    await c.connect();
    await c.publish('out', 'after', { qos: 1 });
    expect(received).toEqual(['after']);
  });

  it('QoS 0 on a live link without signal or timeout (the fast path) still settles every promise, also across close()', async () => {
    const { c, clock } = make();
    await c.connect();
    const results = Array.from({ length: 200 }, (_, i) => outcome(c.publish('out', `fast-${i}`)));
    await c.close();
    const settled = await Promise.all(results);
    expect(settled.every((r) => r === 'ok' || r === ERROR_CODES.CLOSED)).toBe(true);
    expect(settled[0]).toBe('ok');
    expect(clock.pendingTimers).toBe(0);
  });

  it('close() rejects everything pending with CLOSED and every promise settles', async () => {
    const { c, clock } = make();
    const pending = [outcome(c.publish('out', '1')), outcome(c.publish('out', '2', { qos: 1 })), outcome(c.connect())];
    await c.close();
    expect(await Promise.all(pending)).toEqual([ERROR_CODES.CLOSED, ERROR_CODES.CLOSED, ERROR_CODES.CLOSED]);
    expect(await outcome(c.publish('out', '3'))).toBe(ERROR_CODES.CLOSED);
    expect(await outcome(c.subscribe('x', () => undefined))).toBe(ERROR_CODES.CLOSED);
    expect(await outcome(c.connect())).toBe(ERROR_CODES.CLOSED);
    expect(c.state).toBe('closed');
    expect(clock.pendingTimers).toBe(0);
  });

  it('routes a channel through a pluggable ChannelPublisher instead of the broker', async () => {
    const calls: OutgoingMessage[] = [];
    const http: ChannelPublisher = {
      name: 'service-http',
      async publish(message) {
        calls.push(message);
      },
    };
    const hanging: ChannelPublisher = {
      name: 'hanging',
      publish: (_m, { signal }) =>
        new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason))),
    };
    const { c, clock } = make({
      channels: [
        { name: 'chat', topic: 'game/chat', publish: http },
        { name: 'slow', topic: 'game/slow', publish: hanging },
      ],
      publishTimeoutMs: 1000,
    });
    await c.publish('chat', { text: 'hi' }, { qos: 1 });
    expect(calls.map((m) => [m.channel, m.topic, m.message, Buffer.from(m.payload).toString(), m.qos])).toEqual([
      ['chat', 'game/chat', { text: 'hi' }, '{"text":"hi"}', 1],
    ]);
    const slow = outcome(c.publish('slow', 1));
    clock.advance(1000);
    expect(await slow).toBe(ERROR_CODES.TIMEOUT);
    expect(received).toEqual([]);
  });

  it('subscribe and connect honour AbortSignal and timeout', async () => {
    const { c, clock } = make();
    const controller = new AbortController();
    controller.abort();
    expect(await outcome(c.connect({ signal: controller.signal }))).toBe(ERROR_CODES.ABORTED);
    b.aedes.authenticate = () => undefined; // never answers: CONNACK never comes
    const connecting = outcome(c.connect({ timeoutMs: 2000 }));
    clock.advance(2000);
    expect(await connecting).toBe(ERROR_CODES.TIMEOUT);
    expect(c.state).toBe('idle');
    expect(clock.pendingTimers).toBe(0);

    b.aedes.authenticate = (_client, _u, _p, done) => done(null, true);
    await c.connect();
    b.aedes.authorizeSubscribe = () => undefined; // SUBACK never comes
    const subscribing = outcome(c.subscribe('slow/topic', () => undefined, { timeoutMs: 1000 }));
    clock.advance(1000);
    expect(await subscribing).toBe(ERROR_CODES.TIMEOUT);
    const controller2 = new AbortController();
    const aborted = outcome(c.subscribe('slow/other', () => undefined, { signal: controller2.signal }));
    controller2.abort();
    expect(await aborted).toBe(ERROR_CODES.ABORTED);
  });

  it('a refused subscription rejects with SUBSCRIBE_REFUSED and keeps the connection', async () => {
    const { c } = make();
    b.aedes.authorizeSubscribe = (_client, sub, done) => done(null, sub.topic.startsWith('secret/') ? null : sub); // null: SUBACK 0x80
    await c.connect();
    expect(await outcome(c.subscribe('secret/x', () => undefined))).toBe(ERROR_CODES.SUBSCRIBE_REFUSED);
    expect(await outcome(c.subscribe('public/x', () => undefined))).toBe('ok');
    expect(c.state).toBe('connected');
  });
});
