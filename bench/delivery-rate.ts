/**
 * Benchmark 1: QoS 0, 64-byte messages to a channel handler over TCP, ours vs a raw MQTT.js
 * subscriber. Each run is a fresh subscriber process.
 * - Subscriber-bound (the headline): a replay server writes pre-encoded PUBLISH packets as
 *   fast as the socket takes them, so the figure is the subscriber's own cost.
 * - Through aedes (its own process): the subscriber pauses reading while the broker queues the
 *   messages, then drains them. aedes's routing per message is slower than either client, so
 *   this figure is mostly the broker's; it shows we keep up with a real broker.
 * Sides alternate round by round (ours on core's MQTT.js engine, ours on its lean engine, the
 * peer); the median is kept. Each engine gets its own entry against the same peer runs.
 */
import { startBrokerProcess, startWorker } from './lib/broker-process.js';
import { startReplayServer } from './lib/replay-server.js';
import { median, type BenchEntry } from './lib/report.js';
import type { BenchSizes } from './lib/sizes.js';
import { TOPIC, jsonPayload, type Decode, type EngineName } from './lib/subscribers.js';
import type { RateInput, RateResult } from './workers/rate-subscriber.js';

/** Sends `count` messages to the subscriber(s) of the server; resolves once handed over. */
export type Feed = (count: number) => Promise<unknown> | void;

export async function oneRun(
  port: number,
  feed: Feed,
  input: Omit<RateInput, 'port' | 'url'> & { url?: string },
): Promise<RateResult> {
  const worker = startWorker<{ go: true }, { ready: true } | RateResult>('workers/rate-subscriber.ts', {
    url: `mqtt://127.0.0.1:${port}`,
    ...input,
    port,
  });
  await worker.next();
  await feed(input.count);
  worker.send({ go: true });
  const result = (await worker.next()) as RateResult;
  await worker.exited;
  return result;
}

/** Our engines, each measured against the peer: the lean one (the default) and the opt-in MQTT.js. */
export const ENGINES: readonly EngineName[] = ['lean', 'mqtt.js'];

/** Rates per side: ours per engine, and the peer's; and each run's CPU µs per message. */
export interface SideRates {
  readonly ours: Readonly<Record<EngineName, number[]>>;
  readonly peer: number[];
  readonly oursCpu: Readonly<Record<EngineName, number[]>>;
  readonly peerCpu: number[];
  /** CPU µs per message of the frame-only floor, when measured. */
  readonly floorCpu?: number[];
}

/** Alternates ours (on each engine) and the peer for `rounds` rounds; returns each side's rates. */
export async function alternate(
  rounds: number,
  run: (side: 'ours' | 'peer' | 'floor', engine: EngineName) => Promise<RateResult>,
  withFloor = false,
): Promise<SideRates> {
  const floorCpu: number[] = [];
  const ours: Record<EngineName, number[]> = { 'mqtt.js': [], lean: [] };
  const oursCpu: Record<EngineName, number[]> = { 'mqtt.js': [], lean: [] };
  const peer: number[] = [];
  const peerCpu: number[] = [];
  for (let round = 0; round < rounds; round++) {
    for (const engine of ENGINES) {
      const result = await run('ours', engine);
      ours[engine].push(result.rate);
      oursCpu[engine].push(result.cpuUsPerMessage);
    }
    const result = await run('peer', 'mqtt.js');
    peer.push(result.rate);
    peerCpu.push(result.cpuUsPerMessage);
    if (withFloor) floorCpu.push((await run('floor', 'lean')).cpuUsPerMessage);
  }
  return { ours, peer, oursCpu, peerCpu, ...(withFloor ? { floorCpu } : {}) };
}

/**
 * Median CPU time per message of each side (µs, user + system of the subscriber process): on a
 * machine shared with other work it moves less than the rate, so it is reported beside it.
 */
export const cpuDetails = (rates: SideRates, engine: EngineName): Record<string, number> => ({
  'ours CPU µs/msg': median(rates.oursCpu[engine]),
  'peer CPU µs/msg': median(rates.peerCpu),
  ...(rates.floorCpu === undefined ? {} : { 'floor CPU µs/msg (frames only)': median(rates.floorCpu) }),
});

/** The entry name's suffix for an engine: the default (lean) has the plain name; before 2026-12-07 it was MQTT.js's. */
export const engineSuffix = (engine: EngineName): string => (engine === 'lean' ? '' : ', MQTT.js engine');

const runs = (rates: number[]): string => rates.map((r) => r.toFixed(0)).join('/');

export async function deliveryRate(sizes: BenchSizes): Promise<BenchEntry[]> {
  const payload = jsonPayload(64);
  const entries: BenchEntry[] = [];
  const replay = await startReplayServer();
  try {
    for (const decode of ['raw', 'json'] as Decode[]) {
      const count = sizes.rateMessages;
      const rates = await alternate(
        sizes.rateRounds,
        (side, engine) =>
          oneRun(replay.port, () => replay.replay(TOPIC, count, payload), { side, engine, decode, count }),
        true,
      );
      for (const engine of ENGINES) {
        entries.push({
          name: `delivery rate, QoS 0, 64 B, TCP, subscriber-bound (${decode === 'raw' ? 'bytes' : 'JSON'} to the handler)${engineSuffix(engine)}`,
          unit: 'msg/s',
          ours: median(rates.ours[engine]),
          peerName: decode === 'raw' ? 'raw MQTT.js subscriber' : 'MQTT.js subscriber + JSON.parse',
          peer: median(rates.peer),
          better: 'higher',
          targetRatio: 0.95,
          details: {
            engine,
            messages: count,
            rounds: sizes.rateRounds,
            oursRuns: runs(rates.ours[engine]),
            peerRuns: runs(rates.peer),
            ...cpuDetails(rates, engine),
            server: 'replay server (pre-encoded PUBLISH)',
          },
        });
      }
    }
  } finally {
    await replay.stop();
  }
  const broker = await startBrokerProcess({ noDelay: true });
  try {
    const count = Math.max(1, Math.floor(sizes.rateMessages / 4));
    const rates = await alternate(sizes.rateRounds, (side, engine) =>
      oneRun(broker.port, (n) => broker.blast(TOPIC, n, payload), { side, engine, decode: 'raw', count }),
    );
    for (const engine of ENGINES) {
      entries.push({
        name: `delivery rate, QoS 0, 64 B, TCP, through aedes (bytes to the handler)${engineSuffix(engine)}`,
        unit: 'msg/s',
        ours: median(rates.ours[engine]),
        peerName: 'raw MQTT.js subscriber',
        peer: median(rates.peer),
        better: 'higher',
        targetRatio: 0.95,
        details: {
          engine,
          messages: count,
          rounds: sizes.rateRounds,
          oursRuns: runs(rates.ours[engine]),
          peerRuns: runs(rates.peer),
          ...cpuDetails(rates, engine),
          broker: 'aedes, own process, NODELAY',
        },
      });
    }
  } finally {
    await broker.stop();
  }
  return entries;
}
