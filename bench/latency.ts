/**
 * Benchmark 3: delivery latency (p50/p99/p99.9) at 1,000 msg/s over TCP: each client publishes
 * to itself through aedes (in its own process), so both legs count: client → broker and
 * broker → client. Ours sets TCP_NODELAY on its socket; MQTT.js keeps its defaults (Nagle on).
 * The broker leg depends on aedes's sockets, so it runs twice: aedes as shipped (Nagle on)
 * and aedes with NODELAY. The headline is the broker configured with NODELAY, the way a
 * production broker (IoT Core) and our emulator run.
 */
import { writeFileSync } from 'node:fs';
import { startBrokerProcess, startWorker } from './lib/broker-process.js';
import { RESULTS_DIR, percentile, type BenchEntry } from './lib/report.js';
import { chartFile, type BenchSizes } from './lib/sizes.js';
import { percentileChart } from './lib/svg.js';
import type { LatencyInput, LatencyResult } from './workers/latency-client.js';

const PERCENTILES = [50, 90, 99, 99.9] as const;

async function oneRun(input: LatencyInput): Promise<LatencyResult> {
  const worker = startWorker<never, LatencyResult>('workers/latency-client.ts', input);
  const result = await worker.next();
  await worker.exited;
  return result;
}

const summary = (latencies: number[]): Record<string, number> => {
  const sorted = [...latencies].sort((a, b) => a - b);
  return Object.fromEntries(PERCENTILES.map((p) => [`p${p}`, percentile(sorted, p)]));
};

export async function latency(sizes: BenchSizes): Promise<BenchEntry[]> {
  const entries: BenchEntry[] = [];
  const series: { label: string; values: number[] }[] = [];
  for (const noDelay of [true, false]) {
    const broker = await startBrokerProcess({ noDelay });
    // Short alternating rounds, samples pooled: a burst of load from elsewhere on the machine
    // lands on both sides instead of on whichever ran at that moment.
    const base = {
      port: broker.port,
      rate: 1000,
      durationMs: sizes.latencyMs / sizes.latencyRounds,
      warmup: sizes.smoke ? 20 : 200,
    };
    const ours: LatencyResult = { latencies: [], sent: 0, lost: 0 };
    const peer: LatencyResult = { latencies: [], sent: 0, lost: 0 };
    const pool = (into: LatencyResult, run: LatencyResult): void => {
      into.latencies.push(...run.latencies);
      (into as { sent: number }).sent += run.sent;
      (into as { lost: number }).lost += run.lost;
    };
    try {
      // The order swaps every round: whichever side ran first in a round measured a worse tail
      // (p99.9 1.2-1.6x with ours always first, the same for MQTT.js when it went first).
      for (let round = 0; round < sizes.latencyRounds; round++) {
        const order = round % 2 === 0 ? (['ours', 'peer'] as const) : (['peer', 'ours'] as const);
        for (const side of order) pool(side === 'ours' ? ours : peer, await oneRun({ ...base, side }));
      }
    } finally {
      await broker.stop();
    }
    const o = summary(ours.latencies);
    const p = summary(peer.latencies);
    const brokerName = noDelay ? 'aedes with NODELAY' : 'aedes as shipped (Nagle on)';
    series.push({ label: `ours, ${brokerName}`, values: PERCENTILES.map((q) => o[`p${q}`] ?? Number.NaN) });
    series.push({ label: `MQTT.js, ${brokerName}`, values: PERCENTILES.map((q) => p[`p${q}`] ?? Number.NaN) });
    const details = {
      broker: brokerName,
      messages: ours.sent,
      rounds: sizes.latencyRounds,
      ...Object.fromEntries(Object.entries(o).map(([k, v]) => [`ours ${k}`, v])),
      ...Object.fromEntries(Object.entries(p).map(([k, v]) => [`peer ${k}`, v])),
      oursLost: ours.lost,
      peerLost: peer.lost,
    };
    entries.push({
      name: `delivery latency p99.9 at 1,000 msg/s, TCP, broker: ${brokerName}`,
      unit: 'ms',
      ours: o['p99.9'] ?? Number.NaN,
      peerName: 'MQTT.js defaults',
      peer: p['p99.9'] ?? Number.NaN,
      better: 'lower',
      targetValue: 6,
      details,
      chart: `bench/results/${chartFile('latency-percentiles', sizes)}`,
    });
  }
  writeFileSync(
    `${RESULTS_DIR}${chartFile('latency-percentiles', sizes)}`,
    percentileChart({
      title: 'Delivery latency at 1,000 msg/s over TCP (ms, log scale)',
      categories: PERCENTILES.map((p) => `p${p}`),
      series,
    }),
  );
  return entries;
}
