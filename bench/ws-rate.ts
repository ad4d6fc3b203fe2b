/**
 * Benchmark 4: delivery rate over WebSocket (QoS 0, 64 B, bytes to the handler), ours with
 * `@webcomm/browser`'s WebSocket transport vs MQTT.js over its `ws` stream.
 * - Subscriber-bound (the headline): a WebSocket replay server sends pre-built frames, one per
 *   MQTT packet (as IoT Core does), as fast as the socket takes them.
 * - Through aedes over `ws` (its own process): aedes writes each packet in several frames and
 *   its routing is the bottleneck, so both sides get about the broker's rate.
 */
import { alternate, cpuDetails, ENGINES, engineSuffix, oneRun, type SideRates } from './delivery-rate.js';
import { startBrokerProcess } from './lib/broker-process.js';
import { loadWebSocketTransport } from './lib/plugins.js';
import { median, type BenchEntry } from './lib/report.js';
import type { BenchSizes } from './lib/sizes.js';
import { TOPIC, jsonPayload } from './lib/subscribers.js';
import { startWsReplayServer } from './lib/ws-replay-server.js';

const runs = (rates: number[]): string => rates.map((r) => r.toFixed(0)).join('/');

export async function wsRate(sizes: BenchSizes): Promise<BenchEntry[]> {
  const payload = jsonPayload(64);
  const plugin = await loadWebSocketTransport();
  const count = sizes.wsMessages;
  const sides = async (port: number, url: string, feed: (n: number) => Promise<unknown> | void): Promise<SideRates> => {
    if (plugin.ok)
      return alternate(sizes.rateRounds, (side, engine) =>
        oneRun(port, feed, { side, engine, decode: 'raw', count, url, transport: 'ws' }),
      );
    const peer: number[] = [];
    const peerCpu: number[] = [];
    for (let round = 0; round < sizes.rateRounds; round++) {
      const result = await oneRun(port, feed, { side: 'peer', decode: 'raw', count, url });
      peer.push(result.rate);
      peerCpu.push(result.cpuUsPerMessage);
    }
    return { ours: { 'mqtt.js': [], lean: [] }, peer, oursCpu: { 'mqtt.js': [], lean: [] }, peerCpu };
  };

  const replay = await startWsReplayServer();
  let bound: SideRates;
  try {
    bound = await sides(replay.port, `ws://127.0.0.1:${replay.port}/mqtt`, (n) => replay.replay(TOPIC, n, payload));
  } finally {
    await replay.stop();
  }
  const broker = await startBrokerProcess({ noDelay: true, ws: true });
  let aedes: SideRates;
  try {
    aedes = await sides(broker.port, `ws://127.0.0.1:${broker.wsPort}/mqtt`, (n) => broker.blast(TOPIC, n, payload));
  } finally {
    await broker.stop();
  }

  const entries = (name: string, rates: SideRates, server: string): BenchEntry[] =>
    ENGINES.map((engine) => {
      const details = {
        engine,
        messages: count,
        rounds: sizes.rateRounds,
        server,
        'MQTT.js over ws msg/s': median(rates.peer),
        peerRuns: runs(rates.peer),
      };
      if (!plugin.ok) return { name: `${name}${engineSuffix(engine)}`, notMeasured: plugin.missing, details };
      return {
        name: `${name}${engineSuffix(engine)}`,
        unit: 'msg/s',
        ours: median(rates.ours[engine]),
        peerName: 'MQTT.js over ws stream',
        peer: median(rates.peer),
        better: 'higher',
        targetRatio: 1,
        details: { ...details, oursRuns: runs(rates.ours[engine]), ...cpuDetails(rates, engine) },
      };
    });
  return [
    ...entries(
      'delivery rate over WebSocket, QoS 0, 64 B, subscriber-bound',
      bound,
      'WebSocket replay server, one frame per packet',
    ),
    ...entries(
      'delivery rate over WebSocket, QoS 0, 64 B, through aedes',
      aedes,
      'aedes over ws (createWebSocketStream), own process, NODELAY',
    ),
  ];
}
