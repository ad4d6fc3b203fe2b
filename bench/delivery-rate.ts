/**
 * Benchmark 1: QoS 0, 64-byte messages to a channel handler over TCP, ours vs a raw MQTT.js
 * subscriber on the same aedes broker (its own process). Each run is a fresh subscriber
 * process that pauses reading while the broker queues `count` messages, then drains them:
 * the subscriber is the bottleneck, which is what we compare. Sides alternate; median kept.
 */
import { startBrokerProcess, startWorker } from './lib/broker-process.js';
import { median, type BenchEntry } from './lib/report.js';
import type { BenchSizes } from './lib/sizes.js';
import { TOPIC, jsonPayload, type Decode } from './lib/subscribers.js';
import type { RateInput, RateResult } from './workers/rate-subscriber.js';

export async function oneRun(
  port: number,
  blast: (count: number) => Promise<unknown>,
  input: Omit<RateInput, 'port' | 'url'> & { url?: string },
): Promise<RateResult> {
  const worker = startWorker<{ go: true }, { ready: true } | RateResult>('workers/rate-subscriber.ts', { url: `mqtt://127.0.0.1:${port}`, ...input, port });
  await worker.next();
  await blast(input.count);
  worker.send({ go: true });
  const result = (await worker.next()) as RateResult;
  await worker.exited;
  return result;
}

export async function deliveryRate(sizes: BenchSizes): Promise<BenchEntry[]> {
  const broker = await startBrokerProcess({ noDelay: true });
  const payload = jsonPayload(64);
  const blast = (count: number): Promise<unknown> => broker.blast(TOPIC, count, payload);
  const entries: BenchEntry[] = [];
  try {
    for (const decode of ['raw', 'json'] as Decode[]) {
      const ours: number[] = [];
      const peer: number[] = [];
      let early = 0;
      for (let round = 0; round < sizes.rateRounds; round++) {
        const a = await oneRun(broker.port, blast, { side: 'ours', decode, count: sizes.rateMessages });
        const b = await oneRun(broker.port, blast, { side: 'peer', decode, count: sizes.rateMessages });
        ours.push(a.rate);
        peer.push(b.rate);
        early += a.early + b.early;
      }
      entries.push({
        name: `delivery rate, QoS 0, 64 B, TCP (${decode === 'raw' ? 'bytes' : 'JSON'} to the handler)`,
        unit: 'msg/s',
        ours: median(ours),
        peerName: decode === 'raw' ? 'raw MQTT.js subscriber' : 'MQTT.js subscriber + JSON.parse',
        peer: median(peer),
        better: 'higher',
        targetRatio: 0.95,
        details: {
          messages: sizes.rateMessages,
          rounds: sizes.rateRounds,
          oursRuns: ours.map((r) => r.toFixed(0)).join('/'),
          peerRuns: peer.map((r) => r.toFixed(0)).join('/'),
          earlyMessages: early,
          broker: 'aedes, own process, NODELAY',
        },
      });
    }
  } finally {
    await broker.stop();
  }
  return entries;
}
