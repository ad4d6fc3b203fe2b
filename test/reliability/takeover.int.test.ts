/**
 * Client-ID takeover: two clients with one client ID on a real aedes (which, like IoT Core,
 * drops the older connection). They must not flap: each notices, emits `takenOver`, and either
 * backs off with growing delays or stops.
 */
import { ERROR_CODES, WebcommClient, type ReconnectingInfo, type TakenOverInfo } from '@webcomm/core';
import { afterEach, describe, expect, it } from 'vitest';
import { startBroker, type TestBroker } from '../helpers/broker.js';
import { nextEvent } from '../helpers/events.js';
import { tcpTransport } from '../helpers/tcp-transport.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function broker(): Promise<TestBroker> {
  const b = await startBroker();
  cleanups.push(() => b.stop());
  return b;
}

function twin(b: TestBroker, onTakeover: 'backoff' | 'stop'): WebcommClient {
  const client = new WebcommClient({
    transport: tcpTransport(b.port),
    clientId: 'same-id',
    onTakeover,
    takeoverWindowMs: 60_000,
    backoff: { initialDelayMs: 5, maxDelayMs: 400 },
  });
  cleanups.push(() => client.close());
  return client;
}

describe('client-ID takeover (real aedes)', () => {
  it("'stop': the client taken over twice in a row stops with TAKEN_OVER, the other keeps the ID", async () => {
    const b = await broker();
    const first = twin(b, 'stop');
    const second = twin(b, 'stop');
    const stopped = Promise.race([
      nextEvent(first, 'state', (s) => s.to === 'failed').then(([s]) => ({ who: first, s })),
      nextEvent(second, 'state', (s) => s.to === 'failed').then(([s]) => ({ who: second, s })),
    ]);
    await first.connect();
    await second.connect().catch(() => undefined);
    const { who, s } = await stopped;
    expect(s.error?.code).toBe(ERROR_CODES.TAKEN_OVER);
    const survivor = who === first ? second : first;
    if (survivor.state !== 'connected') await nextEvent(survivor, 'connected');
    expect(survivor.state).toBe('connected');
  });

  it("'backoff': both emit takenOver and retry with growing delays instead of flapping", async () => {
    const b = await broker();
    const first = twin(b, 'backoff');
    const second = twin(b, 'backoff');
    const takeovers: TakenOverInfo[] = [];
    const attempts = new Map<WebcommClient, number[]>();
    const delays: ReconnectingInfo[] = [];
    const reachedFourth = [first, second].map((c) => {
      attempts.set(c, []);
      c.on('takenOver', (info) => takeovers.push(info));
      return new Promise<void>((resolve) => {
        c.on('reconnecting', (info) => {
          delays.push(info);
          attempts.get(c)?.push(info.attempt);
          if (info.attempt >= 4) resolve();
        });
      });
    });
    const noticed = Promise.all([nextEvent(first, 'takenOver'), nextEvent(second, 'takenOver')]);
    await first.connect();
    await second.connect().catch(() => undefined);
    await noticed;
    expect(takeovers.every((t) => t.action === 'backoff' && t.count >= 2)).toBe(true);
    await Promise.all(reachedFourth);
    // The backoff never reset (no link stayed up long enough): each client's attempt numbers climb by
    // one from its first retry (1, or 2 for the one whose first connect was the first attempt) to 4;
    // a reset on every reconnect (flapping) would repeat a low attempt number.
    for (const list of attempts.values()) {
      const start = list[0] ?? 0;
      expect(start === 1 || start === 2).toBe(true);
      expect(list).toEqual(list.map((_, i) => start + i));
      expect(list.length).toBeGreaterThanOrEqual(5 - start);
    }
    expect(delays.every((d) => d.delayMs <= 400)).toBe(true);
  });
});
