/**
 * Benchmark 2: the cost of dispatching one message when 10,000 channels are subscribed, against
 * our own client with 1 subscription. Micro: `SubscriptionRegistry.dispatch` (trie match,
 * decode, handler) under tinybench. End to end: the delivery-rate run with 9,999 extra
 * channels subscribed on the broker, against the same run with none.
 */
import { Bench } from 'tinybench';
import { SubscriptionRegistry } from '../packages/core/src/inbound/subscriptions.js';
import type { ReceivedMessage } from '@webcomm/core';
import { oneRun } from './delivery-rate.js';
import { startReplayServer } from './lib/replay-server.js';
import { median, type BenchEntry } from './lib/report.js';
import type { BenchSizes } from './lib/sizes.js';
import { TOPIC, jsonPayload, otherTopic } from './lib/subscribers.js';

/** Dispatches per tinybench iteration, so the timer's resolution does not dominate. */
const BATCH = 1_000;

/** A registry with `filters` subscribed (one handler each) plus the measured channel. */
function registryWith(filters: readonly string[], onMessage: (value: unknown) => void): SubscriptionRegistry {
  const registry = new SubscriptionRegistry(true);
  const ignore = (): void => undefined;
  filters.forEach((filter, i) => registry.add(SubscriptionRegistry.record(filter, `other-${i}`, 0, 'raw', ignore)));
  registry.add(SubscriptionRegistry.record(TOPIC, 'broadcast', 0, 'raw', onMessage));
  return registry;
}

async function micro(sizes: BenchSizes): Promise<BenchEntry[]> {
  let delivered = 0;
  const onMessage = (): void => void delivered++;
  const others = Array.from({ length: sizes.channels - 1 }, (_, i) => otherTopic(i));
  // Exact channel topics only, and the same count with every 10th a wildcard filter. A
  // wildcard filter anywhere means walking the trie; its baseline is 1 channel + 1 wildcard.
  const registries = {
    one: registryWith([], onMessage),
    oneAndWildcard: registryWith([otherTopic(0)], onMessage),
    exact: registryWith(
      others.map((_, i) => `bench/game-${i}/events`),
      onMessage,
    ),
    mixed: registryWith(others, onMessage),
  };
  // Each message carries its own copy of the topic string, as parsed off the wire: a reused
  // constant would let V8 reuse cached work (string hash, split result) that real traffic
  // never gets.
  const payload = jsonPayload(64);
  const messages: ReceivedMessage[] = Array.from({ length: BATCH }, (_, i) => ({
    topic: `${TOPIC}/${i}`.slice(0, TOPIC.length),
    payload,
    qos: 0,
    retain: false,
  }));
  const onError = (): void => undefined;
  const bench = new Bench({ time: sizes.microTimeMs, warmup: true });
  for (const [name, registry] of Object.entries(registries)) {
    bench.add(name, () => {
      for (const message of messages) registry.dispatch(message, onError);
    });
  }
  await bench.run();
  const ns = (name: string): number => {
    const result = bench.getTask(name)?.result;
    if (result === undefined || !('latency' in result))
      throw new Error(`dispatch micro-benchmark ${name} did not complete`);
    return (result.latency.p50 * 1e6) / BATCH;
  };
  if (delivered === 0) throw new Error('dispatch delivered nothing');
  const details = { harness: 'tinybench, median of batches of 1000', matchedHandlers: 1 };
  return [
    {
      name: `dispatch with ${sizes.channels} subscribed channels (router, micro)`,
      unit: 'ns/msg',
      ours: ns('exact'),
      peerName: 'ours with 1 subscription',
      peer: ns('one'),
      better: 'lower',
      targetRatio: 1.1,
      details,
    },
    {
      name: `dispatch with ${sizes.channels} subscribed channels, 10 % wildcard filters (router, micro)`,
      unit: 'ns/msg',
      ours: ns('mixed'),
      peerName: 'ours with 1 subscription + 1 wildcard filter',
      peer: ns('oneAndWildcard'),
      better: 'lower',
      targetRatio: 1.1,
      details: { ...details, 'ours with 1 subscription (no wildcard) ns': ns('one') },
    },
  ];
}

async function endToEnd(sizes: BenchSizes): Promise<BenchEntry> {
  // The replay server, so the figure is the client's cost (aedes would be the bottleneck).
  const server = await startReplayServer();
  const payload = jsonPayload(64);
  const feed = (count: number): void => server.replay(TOPIC, count, payload);
  const one: number[] = [];
  const many: number[] = [];
  try {
    for (let round = 0; round < sizes.rateRounds; round++) {
      const base = { side: 'ours', decode: 'raw', count: sizes.dispatchMessages } as const;
      one.push((await oneRun(server.port, feed, base)).rate);
      many.push((await oneRun(server.port, feed, { ...base, extraChannels: sizes.channels - 1 })).rate);
    }
  } finally {
    await server.stop();
  }
  const usPerMessage = (rates: number[]): number => 1e6 / median(rates);
  return {
    name: `dispatch with ${sizes.channels} subscribed channels, 10 % wildcard filters (end to end, TCP)`,
    unit: 'µs/msg',
    ours: usPerMessage(many),
    peerName: 'ours with 1 subscription',
    peer: usPerMessage(one),
    better: 'lower',
    targetRatio: 1.1,
    details: {
      server: 'replay server (pre-encoded PUBLISH)',
      messages: sizes.dispatchMessages,
      rounds: sizes.rateRounds,
      manyRates: many.map((r) => r.toFixed(0)).join('/'),
      oneRates: one.map((r) => r.toFixed(0)).join('/'),
    },
  };
}

export async function dispatch(sizes: BenchSizes): Promise<BenchEntry[]> {
  return [...(await micro(sizes)), await endToEnd(sizes)];
}
