/**
 * Benchmark 8: broadcast fan-out to many WebSocket clients (MQTT.js over `ws`, QoS 0, 64 B):
 * the emulator (`@webcomm/emulator`) vs raw aedes over `ws`. Figure: deliveries per second,
 * from the first broadcast until every client has every message.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBrokerProcess } from './lib/broker-process.js';
import { loadEmulatorTarget } from './lib/plugins.js';
import type { BenchEntry } from './lib/report.js';
import type { BenchSizes } from './lib/sizes.js';
import { TOPIC, jsonPayload } from './lib/subscribers.js';

/** Connects `n` subscribed clients, runs `broadcast`, and resolves with deliveries/s. */
async function fanout(
  url: string,
  topic: string,
  n: number,
  messages: number,
  broadcast: () => Promise<unknown>,
): Promise<number> {
  const clients: MqttClient[] = [];
  let delivered = 0;
  let done: () => void = () => undefined;
  const all = new Promise<void>((resolve) => (done = resolve));
  try {
    for (let start = 0; start < n; start += 50) {
      await Promise.all(
        Array.from({ length: Math.min(50, n - start) }, async () => {
          const client = await mqtt.connectAsync(url, { reconnectPeriod: 0 });
          client.on('message', () => {
            if (++delivered === n * messages) done();
          });
          await client.subscribeAsync(topic, { qos: 0 });
          clients.push(client);
        }),
      );
    }
    const started = performance.now();
    await broadcast();
    await all;
    return (n * messages * 1000) / (performance.now() - started);
  } finally {
    await Promise.all(clients.map((c) => c.endAsync(true)));
  }
}

export async function emulatorFanout(sizes: BenchSizes): Promise<BenchEntry[]> {
  const { fanoutClients: n, fanoutMessages: messages } = sizes;
  const payload = jsonPayload(64);
  const broker = await startBrokerProcess({ noDelay: true, ws: true });
  let peer: number;
  try {
    peer = await fanout(`ws://127.0.0.1:${broker.wsPort}/mqtt`, TOPIC, n, messages, () =>
      broker.blast(TOPIC, messages, payload),
    );
  } finally {
    await broker.stop();
  }
  const name = `emulator broadcast fan-out to ${n} WebSocket clients`;
  const details = { clients: n, broadcasts: messages, 'raw aedes deliveries/s': peer };
  const dataDir = mkdtempSync(join(tmpdir(), 'webcomm-bench-'));
  try {
    const target = await loadEmulatorTarget(dataDir);
    if (!target.ok) return [{ name, notMeasured: target.missing, details }];
    let ours: number;
    try {
      const { wsUrl, topic } = target.value;
      ours = await fanout(wsUrl, topic, n, messages, async () => {
        for (let i = 0; i < messages; i++) await target.value.publish(topic, payload);
      });
    } finally {
      await target.value.stop();
    }
    return [
      {
        name,
        unit: 'deliveries/s',
        ours,
        peerName: 'raw aedes over ws',
        peer,
        better: 'higher',
        targetRatio: 0.9,
        details,
      },
    ];
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
