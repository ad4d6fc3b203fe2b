/**
 * "No gap at expiry": renewing the link (fresh signature/credentials) while QoS 1 messages stream
 * in on a persistent session. The broker keeps what arrives during the switch and resends what
 * was not acknowledged (sometimes several links later): every message reaches the handler. A
 * message is acknowledged only once delivered, so none is lost; aedes resends without DUP, so
 * nothing proves a resend and some may reach the handler twice (QoS 1 is at-least-once; a
 * `webcomm-message-id` stamp, MQTT 5 only, makes them once).
 *
 * Known broker flake: under heavy CPU load (two busy loops beside it) about 1 run in 100 times out
 * with messages missing. Traced on 2026-12-07 (engine instrumented, every packet logged): aedes
 * resent a kept session's queue on the new link and skipped a run of it (packet ids jumped by
 * ~1,500; 27 messages never reached the client on any link), then reset that link; every message
 * the client did receive was acknowledged only after delivery. A broker-side loss, not the client's.
 */
import { WebcommClient } from '@webcomm/core';
import { afterEach, describe, expect, it } from 'vitest';
import { startBroker } from '../helpers/broker.js';
import { tcpTransport } from '../helpers/tcp-transport.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('renewLink while messages stream in (real aedes)', () => {
  it('persistent session + QoS 1: every message at least once across 5 renewals', async () => {
    const broker = await startBroker();
    cleanups.push(() => broker.stop());
    const client = new WebcommClient({ transport: tcpTransport(broker.port), clientId: 'renewer', clean: false });
    cleanups.push(() => client.close());
    const total = 500;
    const seen = new Set<number>();
    let handled = 0;
    let allArrived: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (allArrived = resolve));
    await client.subscribe<{ n: number }>(
      'stream',
      (m) => {
        handled += 1;
        seen.add(m.n);
        if (seen.size === total) allArrived();
      },
      { qos: 1 },
    );
    await client.connect();
    let renewals = 0;
    for (let n = 0; n < total; n++) {
      broker.aedes.publish(
        {
          cmd: 'publish',
          topic: 'stream',
          payload: Buffer.from(JSON.stringify({ n })),
          qos: 1,
          retain: false,
          dup: false,
        },
        () => undefined,
      );
      if (n % 100 === 50) {
        client.renewLink();
        renewals += 1;
      }
      if (n % 10 === 0) await new Promise<void>((resolve) => setImmediate(resolve)); // let delivery interleave with the switch
    }
    await done;
    expect(renewals).toBe(5);
    expect(seen.size).toBe(total);
    expect(handled).toBeGreaterThanOrEqual(total);
  });
});
