/**
 * The delivery promise under CPU load (issue #25): QoS 1 messages stream in on a persistent
 * session while the link is renewed, cut at the TCP level (both sides see a close) and cut
 * mid-packet, with two busy-loop processes beside the test so timers fire late and reads batch
 * up, as on a loaded machine. Every message is counted: none may be lost; aedes resends without
 * DUP, so a resend may reach the handler twice (documented: QoS 1 is at-least-once).
 */
import { WebcommClient } from '@webcomm/core';
import { startFaultProxy } from '@webcomm/node/testing';
import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { startBroker } from '../helpers/broker.js';
import { tcpTransport } from '../helpers/tcp-transport.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Starts `n` processes that only spin, and stops them (by their own pid) after the test. */
function busyLoops(n: number): void {
  const children: ChildProcess[] = Array.from({ length: n }, () =>
    spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }),
  );
  cleanups.push(() => {
    for (const child of children) child.kill('SIGKILL');
  });
}

describe('soak under CPU load (real aedes, lean engine)', () => {
  it('renewals, dropped links and packets cut in half: every QoS 1 message arrives', { timeout: 60_000 }, async () => {
    busyLoops(2);
    const broker = await startBroker();
    cleanups.push(() => broker.stop());
    const proxy = await startFaultProxy({ port: broker.port });
    cleanups.push(() => proxy.close());
    const client = new WebcommClient({
      transport: tcpTransport(proxy.port),
      clientId: 'soak',
      clean: false,
      backoff: { initialDelayMs: 10, maxDelayMs: 50 },
    });
    cleanups.push(() => client.close());
    const total = 1_000;
    const times = new Map<number, number>();
    let allArrived: () => void = () => undefined;
    const arrived = new Promise<void>((resolve) => (allArrived = resolve));
    await client.subscribe<{ n: number }>(
      'soak',
      ({ n }) => {
        times.set(n, (times.get(n) ?? 0) + 1);
        if (times.size === total) allArrived();
      },
      { qos: 1 },
    );
    await client.connect();
    const faults = { renew: 0, drop: 0, cut: 0 };
    for (let n = 0; n < total; n++) {
      broker.aedes.publish(
        {
          cmd: 'publish',
          topic: 'soak',
          payload: Buffer.from(JSON.stringify({ n })),
          qos: 1,
          retain: false,
          dup: false,
        },
        () => undefined,
      );
      // A fault every 50 messages, in turn, each on a live link: the loop waits for the reconnect
      // (aedes keeps publishing into the session meanwhile).
      if (n % 50 === 25) {
        if (client.state !== 'connected') await new Promise((resolve) => client.once('connected', resolve));
        const kind = (['renew', 'drop', 'cut'] as const)[((n / 50) % 3) | 0]!;
        faults[kind] += 1;
        if (kind === 'renew') client.renewLink();
        else if (kind === 'drop') proxy.drop();
        else proxy.cutAfter(7);
      }
      if (n % 10 === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    }
    await arrived;
    const duplicates = [...times.values()].filter((count) => count > 1).length;
    // Visible in the test log, for the counts.
    console.log('soak', { total, received: times.size, duplicates, faults });
    expect(times.size).toBe(total);
    expect(faults).toEqual({ renew: 7, drop: 7, cut: 6 });
  });
});
