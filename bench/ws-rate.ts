/**
 * Benchmark 4: delivery rate over WebSocket (QoS 0, 64 B, bytes to the handler), ours with
 * `@webcomm/browser`'s WebSocket transport vs MQTT.js over its `ws` stream, on aedes over
 * `ws` in its own process. Same method as the TCP delivery rate.
 */
import { oneRun } from './delivery-rate.js';
import { startBrokerProcess } from './lib/broker-process.js';
import { loadWebSocketTransport } from './lib/plugins.js';
import { median, type BenchEntry } from './lib/report.js';
import type { BenchSizes } from './lib/sizes.js';
import { TOPIC, jsonPayload } from './lib/subscribers.js';

export async function wsRate(sizes: BenchSizes): Promise<BenchEntry[]> {
  const broker = await startBrokerProcess({ noDelay: true, ws: true });
  const url = `ws://127.0.0.1:${broker.wsPort}/mqtt`;
  const payload = jsonPayload(64);
  const blast = (count: number): Promise<unknown> => broker.blast(TOPIC, count, payload);
  const plugin = await loadWebSocketTransport();
  const ours: number[] = [];
  const peer: number[] = [];
  try {
    for (let round = 0; round < sizes.rateRounds; round++) {
      const base = { decode: 'raw', count: sizes.wsMessages, url } as const;
      if (plugin.ok) ours.push((await oneRun(broker.port, blast, { ...base, side: 'ours', transport: 'ws' })).rate);
      peer.push((await oneRun(broker.port, blast, { ...base, side: 'peer' })).rate);
    }
  } finally {
    await broker.stop();
  }
  const name = 'delivery rate over WebSocket, QoS 0, 64 B';
  const details = { messages: sizes.wsMessages, rounds: sizes.rateRounds, 'MQTT.js over ws msg/s': median(peer), broker: 'aedes over ws, own process, NODELAY' };
  if (!plugin.ok) return [{ name, notMeasured: plugin.missing, details }];
  return [{ name, unit: 'msg/s', ours: median(ours), peerName: 'MQTT.js over ws stream', peer: median(peer), better: 'higher', targetRatio: 2, details }];
}
