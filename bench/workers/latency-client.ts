/**
 * One latency run in its own process: a client publishes 64-byte QoS 0 messages to itself
 * through the broker at `rate` msg/s for `durationMs`, and records send → handler time of each.
 */
import { WebcommClient } from '@webcomm/core';
import mqtt from 'mqtt';
import { reply, workerInput } from '../lib/broker-process.js';
import { benchTcpTransport } from '../lib/tcp-transport.js';

export interface LatencyInput {
  readonly side: 'ours' | 'peer';
  readonly port: number;
  readonly rate: number;
  readonly durationMs: number;
  /** Messages at the start left out of the figures (connection and JIT warm-up). */
  readonly warmup: number;
}

/** Latencies in ms, in send order, after the warm-up. */
export interface LatencyResult {
  readonly latencies: number[];
  readonly sent: number;
  readonly lost: number;
}

const TOPIC = 'bench/latency';
const input = workerInput<LatencyInput>();
const total = Math.round((input.rate * input.durationMs) / 1000) + input.warmup;
const sentAt = new Float64Array(total);
const latencies = new Float64Array(total).fill(Number.NaN);
let received = 0;
let finish: () => void = () => undefined;
const allIn = new Promise<void>((resolve) => (finish = resolve));
const onPayload = (payload: Uint8Array): void => {
  const seq = new DataView(payload.buffer, payload.byteOffset, payload.byteLength).getUint32(0);
  latencies[seq] = performance.now() - (sentAt[seq] ?? 0);
  if (++received === total) finish();
};

let publish: (payload: Uint8Array) => void;
let close: () => Promise<void>;
if (input.side === 'ours') {
  const client = new WebcommClient({
    transport: benchTcpTransport(input.port),
    clientId: `lat-ours-${process.pid}`,
    channels: [{ name: 'echo', topic: TOPIC, publish: 'broker' }],
  });
  await client.subscribe<Uint8Array>('echo', onPayload, { decode: 'raw' });
  await client.connect();
  publish = (payload) => void client.publish('echo', payload);
  close = () => client.close();
} else {
  const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${input.port}`);
  client.on('message', (_topic, payload) => onPayload(payload));
  await client.subscribeAsync(TOPIC, { qos: 0 });
  publish = (payload) =>
    void client.publish(TOPIC, Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength), { qos: 0 });
  close = () => client.endAsync();
}

// Paced by elapsed time: each tick sends whatever is due, so timer jitter does not lower the rate.
const start = performance.now();
let sent = 0;
await new Promise<void>((resolve) => {
  const timer = setInterval(() => {
    const due = Math.min(total, Math.floor(((performance.now() - start) * input.rate) / 1000) + 1);
    for (; sent < due; sent++) {
      const payload = new Uint8Array(64);
      new DataView(payload.buffer).setUint32(0, sent);
      sentAt[sent] = performance.now();
      publish(payload);
    }
    if (sent === total) {
      clearInterval(timer);
      resolve();
    }
  }, 1);
});
// Wait for the last messages, at most a second.
await Promise.race([allIn, new Promise((resolve) => setTimeout(resolve, 1000))]);
await close();
const kept = Array.from(latencies.subarray(input.warmup));
await reply({
  latencies: kept.filter((l) => !Number.isNaN(l)),
  sent: total - input.warmup,
  lost: kept.filter((l) => Number.isNaN(l)).length,
} satisfies LatencyResult);
process.exit(0);
