/**
 * The exported fault proxy, each fault driven against a real client and a real aedes, and the
 * chaos run: 100 consecutive drops with every subscription intact afterwards.
 */
import { ERROR_CODES, WebcommClient } from '@webcomm/node';
import { tcpTransport } from '@webcomm/node';
import { startFaultProxy, type FaultProxy } from '@webcomm/node/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { startBroker, type TestBroker } from '../helpers/broker.js';
import { nextEvent } from '../helpers/events.js';

// 100 rounds in CI; `pnpm chaos` runs 2,000 (CHAOS_ROUNDS).
const ROUNDS = Number(process.env.CHAOS_ROUNDS ?? 100);
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(): Promise<{ broker: TestBroker; proxy: FaultProxy; client: WebcommClient }> {
  const broker = await startBroker();
  cleanups.push(() => broker.stop());
  const proxy = await startFaultProxy({ port: broker.port });
  cleanups.push(() => proxy.close());
  const client = new WebcommClient({
    transport: tcpTransport({ host: '127.0.0.1', port: proxy.port }),
    clientId: 'chaos',
    backoff: { initialDelayMs: 5, maxDelayMs: 20 },
    stableAfterMs: 0,
  });
  cleanups.push(() => client.close());
  await client.connect();
  return { broker, proxy, client };
}

function publish(broker: TestBroker, topic: string, text: string): Promise<void> {
  return new Promise((resolve, reject) =>
    broker.aedes.publish(
      { cmd: 'publish', topic, payload: Buffer.from(text), qos: 0, retain: false, dup: false },
      (e) => (e ? reject(e) : resolve()),
    ),
  );
}

describe('fault proxy (exported from @webcomm/node/testing)', () => {
  it(
    `chaos: ${ROUNDS} consecutive drops, and every subscription still delivers afterwards`,
    { timeout: 20_000 + ROUNDS * 100 },
    async () => {
      const { broker, proxy, client } = await setup();
      const topics = Array.from({ length: 20 }, (_, i) => `chaos/${i}`);
      const got = new Set<string>();
      let allArrived: () => void = () => undefined;
      const all = new Promise<void>((resolve) => (allArrived = resolve));
      for (const topic of topics) {
        await client.subscribe(
          topic,
          () => {
            got.add(topic);
            if (got.size === topics.length) allArrived();
          },
          { decode: 'raw' },
        );
      }
      for (let i = 0; i < ROUNDS; i++) {
        const back = nextEvent(client, 'connected');
        proxy.drop();
        await back;
      }
      expect(proxy.accepted).toBe(ROUNDS + 1);
      for (const topic of topics) await publish(broker, topic, 'x');
      await all;
      expect([...got].sort()).toEqual([...topics].sort());
    },
  );

  it(
    `chaos: ${ROUNDS} consecutive broker restarts, and every subscription still delivers afterwards`,
    { timeout: 20_000 + ROUNDS * 100 },
    async () => {
      const { broker, client } = await setup();
      const topics = Array.from({ length: 20 }, (_, i) => `restart/${i}`);
      const got = new Set<string>();
      let allArrived: () => void = () => undefined;
      const all = new Promise<void>((resolve) => (allArrived = resolve));
      for (const topic of topics) {
        await client.subscribe(
          topic,
          () => {
            got.add(topic);
            if (got.size === topics.length) allArrived();
          },
          { decode: 'raw' },
        );
      }
      for (let i = 0; i < ROUNDS; i++) {
        const back = nextEvent(client, 'connected');
        await broker.restart(); // every connection dropped; a clean session keeps no subscription
        await back;
      }
      for (const topic of topics) await publish(broker, topic, 'x');
      await all;
      expect([...got].sort()).toEqual([...topics].sort());
    },
  );

  it('a packet cut in half ends the link; the client reconnects and receives again', async () => {
    const { broker, proxy, client } = await setup();
    const received: string[] = [];
    await client.subscribe('cut/me', (m) => void received.push(new TextDecoder().decode(m as Uint8Array)), {
      decode: 'raw',
    });
    const lost = nextEvent(client, 'disconnected');
    const back = nextEvent(client, 'connected');
    proxy.cutAfter(5);
    await publish(broker, 'cut/me', 'x'.repeat(200));
    expect((await lost)[0].error?.code).toBe(ERROR_CODES.NETWORK);
    await back;
    const next = nextEvent(client, 'message');
    await publish(broker, 'cut/me', 'whole');
    await next;
    expect(received).toEqual(['whole']);
  });

  it('delay and throttle slow the link down without losing anything; refuse keeps a client out until healed', async () => {
    const { broker, proxy, client } = await setup();
    const received: number[] = [];
    let allArrived: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (allArrived = resolve));
    await client.subscribe('slow/+', (m) => {
      received.push((m as { n: number }).n);
      if (received.length === 10) allArrived();
    });
    proxy.delay(30);
    proxy.throttle(2_000);
    const started = Date.now();
    for (let n = 0; n < 10; n++) await publish(broker, `slow/${n}`, JSON.stringify({ n, pad: 'p'.repeat(100) }));
    await done;
    expect(received).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(30); // at least the injected delay
    proxy.heal();
    proxy.refuse(true);
    const retrying = nextEvent(client, 'reconnecting', (info) => info.attempt >= 3);
    proxy.drop();
    await retrying;
    expect(client.state).toBe('reconnecting');
    const back = nextEvent(client, 'connected');
    proxy.refuse(false);
    await back;
  });
});
