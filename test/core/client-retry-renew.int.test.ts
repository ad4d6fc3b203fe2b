import { ERROR_CODES, WebcommClient } from '@webcomm/core';
import { ManualClock } from '@webcomm/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { startBroker, type TestBroker } from '../helpers/broker.js';
import { nextEvent, record } from '../helpers/events.js';
import { tcpTransport } from '../helpers/tcp-transport.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function push(b: TestBroker, topic: string, payload: string): Promise<void> {
  return new Promise((resolve, reject) =>
    b.aedes.publish({ cmd: 'publish', topic, payload: Buffer.from(payload), qos: 0, retain: false, dup: false }, (e) =>
      e ? reject(e) : resolve(),
    ),
  );
}

describe('retryNow and renewLink (real aedes, real TCP)', () => {
  it('retryNow skips the rest of a long backoff delay once the broker is back', async () => {
    const b = await startBroker();
    cleanups.push(() => b.stop());
    const clock = new ManualClock();
    const c = new WebcommClient({
      transport: tcpTransport(b.port),
      clientId: 'retry-now',
      clock,
      random: () => 0.99,
      backoff: { initialDelayMs: 60_000, maxDelayMs: 60_000 },
    });
    cleanups.push(() => c.close());
    await c.connect();
    const reconnecting = nextEvent(c, 'reconnecting');
    await b.restart();
    const [{ delayMs }] = await reconnecting;
    expect(delayMs).toBeGreaterThan(50_000);
    const connected = nextEvent(c, 'connected');
    c.retryNow(); // the clock never advances: only retryNow can make this attempt happen
    await connected;
    expect(c.state).toBe('connected');
  });

  it('retryNow does nothing while connected or idle', async () => {
    const b = await startBroker();
    cleanups.push(() => b.stop());
    const transport = tcpTransport(b.port);
    const c = new WebcommClient({ transport, clientId: 'retry-idle' });
    cleanups.push(() => c.close());
    c.retryNow();
    expect(c.state).toBe('idle');
    await c.connect();
    c.retryNow();
    expect(c.state).toBe('connected');
    expect(transport.opens).toBe(1);
  });

  it('renewLink opens a fresh link, restores subscriptions, and messages flow on it', async () => {
    const b = await startBroker();
    cleanups.push(() => b.stop());
    const transport = tcpTransport(b.port);
    const c = new WebcommClient({ transport, clientId: 'renew' });
    cleanups.push(() => c.close());
    await c.connect();
    const got: unknown[] = [];
    await c.subscribe('content/+', (m) => void got.push(m));
    const states = record(c, 'state');
    const connected = nextEvent(c, 'connected');
    c.renewLink();
    const [info] = await connected;
    expect(info.attempt).toBe(1);
    expect(transport.opens).toBe(2);
    expect(states.map(([s]) => `${s.from}>${s.to}:${s.reason}`)).toEqual([
      'connected>reconnecting:renew',
      'reconnecting>connected:connack',
    ]);
    const message = nextEvent(c, 'message');
    await push(b, 'content/levels', '{"version":2}');
    await message;
    expect(got).toEqual([{ version: 2 }]);
    expect(states.some(([s]) => s.error !== undefined && s.error.code !== ERROR_CODES.NETWORK)).toBe(false);
  });
});
