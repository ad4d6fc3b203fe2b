import { ERROR_CODES, WebcommClient, WebcommError, type WebcommClientOptions } from '@webcomm/core';
import { ManualClock } from '@webcomm/core/testing';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startBroker, type TestBroker } from '../helpers/broker.js';
import { nextEvent, record } from '../helpers/events.js';
import { tcpTransport } from '../helpers/tcp-transport.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function broker(options: Parameters<typeof startBroker>[0] = {}): Promise<TestBroker> {
  const b = await startBroker(options);
  cleanups.push(() => b.stop());
  return b;
}

function client(options: WebcommClientOptions): WebcommClient {
  const c = new WebcommClient(options);
  cleanups.push(() => c.close());
  return c;
}

function push(b: TestBroker, topic: string, payload: string): Promise<void> {
  return new Promise((resolve, reject) =>
    b.aedes.publish({ cmd: 'publish', topic, payload: Buffer.from(payload), qos: 0, retain: false, dup: false }, (e) =>
      e ? reject(e) : resolve(),
    ),
  );
}

describe('recovery (real aedes, real TCP)', () => {
  it('after a broker restart: reconnects, resubscribes, and messages flow again', async () => {
    const b = await broker();
    const transport = tcpTransport(b.port);
    const c = client({ transport, clientId: 'restart', backoff: { initialDelayMs: 20, maxDelayMs: 100 } });
    await c.connect();
    const got: unknown[] = [];
    await c.subscribe('news/#', (m) => void got.push(m));
    await c.subscribe('news/#', (m) => void got.push(['second', m]));
    const reconnected = nextEvent(c, 'connected');
    const disconnected = nextEvent(c, 'disconnected');
    const reconnecting = nextEvent(c, 'reconnecting');
    await b.restart();
    expect((await disconnected)[0].error?.code).toBe(ERROR_CODES.NETWORK);
    expect((await reconnecting)[0].delayMs).toBeLessThanOrEqual(20);
    const [info] = await reconnected;
    expect(info.attempt).toBeGreaterThanOrEqual(2);
    expect(c.state).toBe('connected');
    const message = nextEvent(c, 'message');
    await push(b, 'news/today', '"back"');
    await message;
    expect(got).toEqual(['back', ['second', 'back']]);
    expect(transport.opens).toBeGreaterThanOrEqual(2);
  });

  it('detects a black-holed link at 1.5 × keepalive (injected clock) and replaces it', async () => {
    const b = await broker();
    const proxy: TcpProxy = await startTcpProxy(b.port);
    cleanups.push(() => proxy.close());
    const clock = new ManualClock();
    const c = client({
      transport: tcpTransport(proxy.port),
      clientId: 'blackhole',
      keepaliveSeconds: 10,
      clock,
      random: () => 0.5,
      backoff: { initialDelayMs: 1000 },
    });
    await c.connect();
    await c.subscribe('alive', () => undefined);
    proxy.blackHole();
    const disconnected = nextEvent(c, 'disconnected');
    clock.advance(14_999);
    expect(c.state).toBe('connected');
    clock.advance(1);
    const [lost] = await disconnected;
    expect(lost.error?.code).toBe(ERROR_CODES.DEAD_LINK);
    expect(c.state).toBe('reconnecting');
    const connected = nextEvent(c, 'connected');
    clock.advance(500); // the jittered backoff: 0.5 × 1000 ms
    await connected;
    expect(proxy.accepted).toBe(2);
    const message = nextEvent(c, 'message');
    await push(b, 'alive', '1');
    expect((await message)[0].topic).toBe('alive');
  });

  for (const [returnCode, code] of [
    [4, ERROR_CODES.BAD_CREDENTIALS],
    [5, ERROR_CODES.NOT_AUTHORIZED],
  ] as const) {
    it(`CONNACK ${returnCode} is fatal: ${code}, state failed, no further attempt`, async () => {
      const b = await broker({
        authenticate: (_client, _user, _pass, done) => done(Object.assign(new Error('no'), { returnCode }), false),
      });
      const clock = new ManualClock();
      const transport = tcpTransport(b.port, { username: 'u', password: 'p' });
      const c = client({ transport, clientId: 'fatal', clock });
      const errors = record(c, 'error');
      const failure = await c.connect().catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(WebcommError);
      expect((failure as WebcommError).code).toBe(code);
      expect((failure as WebcommError).fatal).toBe(true);
      expect(c.state).toBe('failed');
      expect(errors.map(([e]) => e.code)).toEqual([code]);
      clock.advance(10 * 60_000);
      expect(transport.opens).toBe(1);
      expect(clock.pendingTimers).toBe(0);
    });
  }

  it('a fatal error from the transport (classifyError → BANNED) stops retrying', async () => {
    const clock = new ManualClock();
    let opens = 0;
    const c = client({
      clientId: 'banned',
      clock,
      transport: {
        name: 'refusing',
        open: async () => {
          opens += 1;
          throw Object.assign(new Error('HTTP 403'), { status: 403 });
        },
        classifyError: (e) =>
          (e as { status?: number }).status === 403
            ? new WebcommError(ERROR_CODES.BANNED, 'banned', { fatal: true, cause: e })
            : undefined,
      },
    });
    const failure = (await c.connect().catch((e: unknown) => e)) as WebcommError;
    expect([failure.code, c.state, opens]).toEqual([ERROR_CODES.BANNED, 'failed', 1]);
    clock.advance(60_000);
    expect(opens).toBe(1);
  });

  it('transient failures (refused port, CONNACK 3) retry until connected; CONNACK 3 is THROTTLED and backs off further', async () => {
    const gone = await startBroker();
    await gone.stop(); // a port nobody listens on any more: ECONNREFUSED
    let refusals = 2;
    const b = await broker({
      authenticate: (_client, _user, _pass, done) =>
        refusals-- > 0 ? done(Object.assign(new Error('busy'), { returnCode: 3 }), false) : done(null, true),
    });
    const clock = new ManualClock();
    const transport = tcpTransport(gone.port);
    const c = client({
      transport,
      clientId: 'transient',
      clock,
      random: () => 0.999,
      backoff: { initialDelayMs: 100 },
    });
    const seen: string[] = [];
    c.on('reconnecting', ({ delayMs, error }) => {
      seen.push(`${error?.code}:${delayMs}`);
      transport.port = b.port;
      clock.advance(delayMs);
    });
    await c.connect({ timeoutMs: 300_000 });
    // CONNACK 3 "server unavailable" is how IoT Core on 3.1.1 says it is over quota: the delay
    // jumps to [15 s, 30 s], then doubles (throttledDelay), instead of the 100 ms steps.
    expect(seen).toEqual([
      `${ERROR_CODES.NETWORK}:99`,
      `${ERROR_CODES.THROTTLED}:29985`,
      `${ERROR_CODES.THROTTLED}:59970`,
    ]);
    expect(transport.opens).toBe(4);
    expect(c.state).toBe('connected');
  });

  it('restarts the backoff when a lost link had been up the quick-drop window (takeoverWindowMs), or stableAfterMs', async () => {
    const b = await broker();
    const clock = new ManualClock();
    const c = client({
      transport: tcpTransport(b.port),
      clientId: 'stable',
      clock,
      random: () => 0.999,
      backoff: { initialDelayMs: 100 },
      stableAfterMs: 5000,
    });
    await c.connect();
    const delays: number[] = [];
    const dropAndRecover = async (): Promise<void> => {
      const reconnecting = nextEvent(c, 'reconnecting');
      const connected = nextEvent(c, 'connected');
      for (const socket of b.sockets) socket.destroy();
      const [{ delayMs }] = await reconnecting;
      delays.push(delayMs);
      clock.advance(delayMs);
      await connected;
    };
    await dropAndRecover();
    clock.advance(1999); // lost within takeoverWindowMs (2 s) of CONNACK: backs off further
    await dropAndRecover();
    clock.advance(2000); // up the whole window: the lost-link rule starts from the first step
    await dropAndRecover();
    await dropAndRecover(); // lost at once: one step more
    clock.advance(5000); // stable (stableAfterMs) while up
    await dropAndRecover();
    expect(delays).toEqual([99, 199, 99, 199, 99]);
  });

  it('re-sends subscriptions even when CONNACK says the session was kept', async () => {
    const b = await broker();
    const c = client({
      transport: tcpTransport(b.port),
      clientId: 'persistent',
      clean: false,
      backoff: { initialDelayMs: 10 },
    });
    await c.connect();
    await c.subscribe('kept/+', () => undefined);
    const subscribed: string[] = [];
    b.aedes.on('subscribe', (subs) => subscribed.push(...subs.map((s) => s.topic)));
    const connected = nextEvent(c, 'connected');
    for (const socket of b.sockets) socket.destroy();
    const [info] = await connected;
    expect(info.sessionPresent).toBe(true);
    expect(subscribed).toEqual(['kept/+']);
  });

  it('keeps a healthy idle link: keepalive pings run on the injected clock and are answered', async () => {
    const b = await broker();
    const clock = new ManualClock();
    const c = client({ transport: tcpTransport(b.port), clientId: 'idle', keepaliveSeconds: 10, clock });
    await c.connect();
    await c.subscribe('tick', () => undefined, { decode: 'raw' });
    const lost = record(c, 'disconnected');
    for (let i = 0; i < 3; i++) {
      const pinged = new Promise<void>((resolve) => b.aedes.once('ping', () => resolve()));
      clock.advance(10_000); // MQTT.js sends PINGREQ after keepalive without traffic from the broker
      await pinged;
      // The PINGRESP was written before this message on the same socket: once it arrives, so did the PINGRESP.
      const arrived = nextEvent(c, 'message');
      await push(b, 'tick', String(i));
      await arrived;
    }
    expect(lost).toEqual([]);
    expect(c.state).toBe('connected');
  });

  it('re-sends a QoS 1 publish that was in flight on a link that died, and resolves on the new PUBACK', async () => {
    const b = await broker();
    const proxy = await startTcpProxy(b.port);
    cleanups.push(() => proxy.close());
    const clock = new ManualClock();
    const c = client({
      transport: tcpTransport(proxy.port),
      clientId: 'inflight',
      keepaliveSeconds: 10,
      clock,
      random: () => 0,
      channels: [{ name: 'out', topic: 'game/out', publish: 'broker' }],
    });
    const received: string[] = [];
    b.aedes.on('publish', (packet, from) => {
      if (from) received.push(packet.payload.toString());
    });
    await c.connect();
    proxy.blackHole();
    let settled = false;
    const publishing = c.publish('out', 'survivor', { qos: 1 }).finally(() => (settled = true));
    const connected = nextEvent(c, 'connected');
    clock.advance(15_000); // dead; backoff delay is 0 with random() = 0
    await connected;
    await publishing;
    expect(settled).toBe(true);
    expect(received).toEqual(['survivor']);
  });

  it('a link that ends with an error the transport classifies as fatal ends in failed (ban while connected)', async () => {
    const b = await broker();
    const clock = new ManualClock();
    const base = tcpTransport(b.port);
    const sockets: Socket[] = [];
    const c = client({
      clientId: 'banned-later',
      clock,
      transport: {
        name: 'tcp-with-ban',
        async open(context) {
          const link = await base.open(context);
          sockets.push(link.stream as Socket);
          return link;
        },
        classifyError: (e) =>
          (e as { code?: unknown }).code === 'TEST_BANNED'
            ? new WebcommError(ERROR_CODES.BANNED, 'banned by the service', { fatal: true, cause: e })
            : undefined,
      },
    });
    await c.connect();
    const failed = nextEvent(c, 'state', (s) => s.to === 'failed');
    const disconnected = nextEvent(c, 'disconnected');
    sockets[0]?.destroy(Object.assign(new Error('kicked'), { code: 'TEST_BANNED' }));
    const [change] = await failed;
    expect(change.error?.code).toBe(ERROR_CODES.BANNED);
    expect((await disconnected)[0].error?.code).toBe(ERROR_CODES.BANNED);
    clock.advance(60_000);
    expect([base.opens, c.state, clock.pendingTimers]).toEqual([1, 'failed', 0]);
  });

  it('connect() timing out for one caller keeps connecting for another still waiting', async () => {
    const b = await broker();
    const authRequested = new Promise<() => void>((resolve) => {
      b.aedes.authenticate = (_c, _u, _p, done) => resolve(() => done(null, true));
    });
    const clock = new ManualClock();
    const c = client({ transport: tcpTransport(b.port), clientId: 'two-callers', clock });
    const impatient = c.connect({ timeoutMs: 1000 }).then(
      () => 'ok',
      (e: WebcommError) => e.code,
    );
    const patient = c.connect({ timeoutMs: 60_000 });
    clock.advance(1000);
    expect(await impatient).toBe(ERROR_CODES.TIMEOUT);
    expect(c.state).toBe('connecting');
    (await authRequested)(); // now let the broker answer CONNACK
    await patient;
    expect(c.state).toBe('connected');
  });

  it('a connect() timeout while reconnecting ends that wait only; the client keeps reconnecting', async () => {
    const b = await broker();
    const clock = new ManualClock();
    const c = client({
      transport: tcpTransport(b.port),
      clientId: 'keeps-going',
      clock,
      random: () => 0.999,
      backoff: { initialDelayMs: 5000 },
    });
    await c.connect();
    const reconnecting = nextEvent(c, 'reconnecting');
    for (const socket of b.sockets) socket.destroy();
    expect((await reconnecting)[0].delayMs).toBe(4995);
    const waiting = c.connect({ timeoutMs: 1000 }).then(
      () => 'ok',
      (e: WebcommError) => e.code,
    );
    clock.advance(1000);
    expect(await waiting).toBe(ERROR_CODES.TIMEOUT);
    expect(c.state).toBe('reconnecting');
    const connected = nextEvent(c, 'connected');
    clock.advance(3995);
    await connected;
  });
});
