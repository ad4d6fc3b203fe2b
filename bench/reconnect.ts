/**
 * Benchmarks 5 and 6: a broker restart (aedes in its own process drops every client and
 * listens again at once) seen by a fleet of idle subscribed clients.
 * 5: time from the broker back to each client subscribed again, vs MQTT.js defaults
 *    (reconnectPeriod 1 s); target ≤ first backoff step + 1 RTT.
 * 6: with 1,000 clients, the peak number of connection attempts in any 100 ms window, vs
 *    MQTT.js's fixed period; target ≤ 15 % of clients. Draws the attempts histogram.
 */
import { DEFAULT_BACKOFF, WebcommClient } from '@webcomm/core';
import { writeFileSync } from 'node:fs';
import { startBrokerProcess, type BrokerProcess } from './lib/broker-process.js';
import { ourFleet, peakInWindow, peerFleet, histogram, type Fleet } from './lib/fleet.js';
import { RESULTS_DIR, median, percentile, type BenchEntry } from './lib/report.js';
import { chartFile, type BenchSizes } from './lib/sizes.js';
import { histogramChart } from './lib/svg.js';
import { benchTcpTransport } from './lib/tcp-transport.js';

const WINDOW_MS = 100;
/** The first backoff step of the variant run (the default is DEFAULT_BACKOFF.initialDelayMs). */
const WIDE_FIRST_STEP_MS = 1000;

interface Episode {
  readonly downAt: number;
  readonly backAt: number;
  /** Attempts made after the broker went down. */
  readonly attempts: number[];
  /** When those attempts were due (see {@link Fleet.scheduled}). */
  readonly scheduled: number[];
  /** Per client: ms from the broker back to subscribed again. */
  readonly resubscribeMs: number[];
}

async function restartEpisode(broker: BrokerProcess, fleet: Fleet): Promise<Episode> {
  const { downAt, backAt } = await broker.restart();
  const at = await fleet.resubscribed(downAt, 60_000);
  const after = (times: number[]): number[] => times.filter((t) => t >= downAt);
  return {
    downAt,
    backAt,
    attempts: after(fleet.attempts()),
    scheduled: after(fleet.scheduled()),
    resubscribeMs: at.map((t) => t - backAt),
  };
}

async function withFleet(noDelay: boolean, make: (port: number) => Promise<Fleet>): Promise<Episode> {
  const broker = await startBrokerProcess({ noDelay });
  try {
    const fleet = await make(broker.port);
    try {
      return await restartEpisode(broker, fleet);
    } finally {
      await fleet.close();
    }
  } finally {
    await broker.stop();
  }
}

/** Median QoS 1 publish → PUBACK round trip of our client on a NODELAY broker. */
async function roundTripMs(samples: number): Promise<number> {
  const broker = await startBrokerProcess({ noDelay: true });
  const client = new WebcommClient({
    transport: benchTcpTransport(broker.port),
    clientId: 'rtt',
    channels: [{ name: 'rtt', topic: 'bench/rtt', publish: 'broker' }],
  });
  try {
    await client.connect();
    const times: number[] = [];
    for (let i = 0; i < samples; i++) {
      const start = performance.now();
      await client.publish('rtt', 'x', { qos: 1 });
      times.push(performance.now() - start);
    }
    return median(times);
  } finally {
    await client.close();
    await broker.stop();
  }
}

const stats = (values: number[]): { p50: number; p95: number; max: number } => {
  const sorted = [...values].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p95: percentile(sorted, 95), max: sorted[sorted.length - 1] ?? Number.NaN };
};

export async function resubscribeTime(sizes: BenchSizes): Promise<BenchEntry[]> {
  const n = sizes.resubscribeClients;
  const rtt = await roundTripMs(sizes.smoke ? 5 : 50);
  const ours = stats((await withFleet(true, (port) => ourFleet(port, n))).resubscribeMs);
  const peer = stats((await withFleet(true, (port) => peerFleet(port, n))).resubscribeMs);
  const target = DEFAULT_BACKOFF.initialDelayMs + rtt;
  return [
    {
      name: 'time from broker back to resubscribed (worst of the clients)',
      unit: 'ms',
      ours: ours.max,
      peerName: 'MQTT.js defaults (reconnectPeriod 1 s)',
      peer: peer.max,
      better: 'lower',
      targetValue: target,
      details: {
        clients: n,
        firstBackoffStepMs: DEFAULT_BACKOFF.initialDelayMs,
        rttMs: rtt,
        'ours p50': ours.p50,
        'ours p95': ours.p95,
        'peer p50': peer.p50,
        'peer p95': peer.p95,
        broker: 'aedes, own process, NODELAY, restarted at once',
      },
    },
  ];
}

export async function reconnectHerd(sizes: BenchSizes): Promise<BenchEntry[]> {
  const n = sizes.herdClients;
  const ours = await withFleet(true, (port) => ourFleet(port, n));
  const peer = await withFleet(true, (port) => peerFleet(port, n));
  // What the target asks of the first backoff step: the same fleet with a 1 s first step.
  const wide = await withFleet(true, (port) => ourFleet(port, n, { initialDelayMs: WIDE_FIRST_STEP_MS }));
  const peak = (e: Episode): number => peakInWindow(e.attempts, WINDOW_MS);
  const span = Math.max(...[ours, peer, wide].flatMap((e) => e.attempts.map((t) => t - e.downAt)), 0);
  const bins = Math.max(1, Math.ceil((span + 1) / WINDOW_MS) + 1);
  writeFileSync(
    `${RESULTS_DIR}${chartFile('reconnect-herd', sizes)}`,
    histogramChart({
      title: `Reconnect attempts per ${WINDOW_MS} ms after a broker restart (${n} clients)`,
      binMs: WINDOW_MS,
      series: [
        {
          label: `ours (default, first step ${DEFAULT_BACKOFF.initialDelayMs} ms)`,
          counts: histogram(ours.attempts, ours.downAt, WINDOW_MS, bins),
        },
        { label: 'MQTT.js (fixed 1 s period)', counts: histogram(peer.attempts, peer.downAt, WINDOW_MS, bins) },
        {
          label: `ours, first step ${WIDE_FIRST_STEP_MS} ms`,
          counts: histogram(wide.attempts, wide.downAt, WINDOW_MS, bins),
        },
      ],
      limit: { value: 0.15 * n, label: 'target: 15 % of clients' },
    }),
  );
  const oursResub = stats(ours.resubscribeMs);
  const peerResub = stats(peer.resubscribeMs);
  return [
    {
      name: `reconnect herd: peak attempts in any ${WINDOW_MS} ms after a broker restart (% of ${n} clients)`,
      unit: '%',
      ours: (100 * peak(ours)) / n,
      peerName: 'MQTT.js fixed period',
      peer: (100 * peak(peer)) / n,
      better: 'lower',
      targetValue: 15,
      chart: `bench/results/${chartFile('reconnect-herd', sizes)}`,
      details: {
        clients: n,
        'ours attempts': ours.attempts.length,
        'peer attempts': peer.attempts.length,
        'ours peak': peak(ours),
        // One process runs all 1,000 clients: its busy event loop fires due timers late and in
        // bunches. The schedule is what a fleet of separate machines would send.
        'ours peak % as scheduled': (100 * peakInWindow(ours.scheduled, WINDOW_MS)) / n,
        [`ours peak % as scheduled, first step ${WIDE_FIRST_STEP_MS} ms`]:
          (100 * peakInWindow(wide.scheduled, WINDOW_MS)) / n,
        'peer peak': peak(peer),
        'ours all resubscribed (ms)': oursResub.max,
        [`ours peak % with first step ${WIDE_FIRST_STEP_MS} ms`]: (100 * peak(wide)) / n,
        [`ours all resubscribed (ms) with first step ${WIDE_FIRST_STEP_MS} ms`]: stats(wide.resubscribeMs).max,
        'peer all resubscribed (ms)': peerResub.max,
        broker: 'aedes, own process, NODELAY, restarted at once',
      },
    },
  ];
}
