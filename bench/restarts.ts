/**
 * Benchmark `restarts`: Debian's mosquitto restarted 10 times in a row (SIGTERM, then started
 * again at once on the same port, no persistence), 3 s after every client had its first
 * delivery. After each restart a publisher sends one retained message; the figure is the median
 * over all restarts and clients of broker back (listening again) → that client's first
 * delivery. Ours with default options, beside MQTT.js with its defaults (reconnect every 1 s,
 * resubscribe on). Before the lost-link rule (see `ReconnectSchedule`) ours grew with every
 * restart, because the attempt count reset only after 10 s up.
 */
import { DEFAULT_BACKOFF } from '@webcomm/core';
import { connectAsync } from 'mqtt';
import { startMosquitto, MOSQUITTO_BINARY } from '../test/helpers/mosquitto.js';
import { existsSync } from 'node:fs';
import { ourFleet, peerFleet, type Fleet } from './lib/fleet.js';
import { median, percentile, type BenchEntry } from './lib/report.js';
import type { BenchSizes } from './lib/sizes.js';
import { TOPIC } from './lib/subscribers.js';
import { wallNow } from './lib/wall-clock.js';

interface Run {
  /** Per restart, per client: ms from the broker back to the first delivery. */
  readonly perRestart: number[][];
}

async function publishRetained(port: number, text: string): Promise<void> {
  const publisher = await connectAsync(`mqtt://127.0.0.1:${port}`, {
    clientId: `restart-pub-${Math.random()}`,
    reconnectPeriod: 0,
  });
  try {
    await publisher.publishAsync(TOPIC, text, { qos: 0, retain: true });
  } finally {
    await publisher.endAsync();
  }
}

async function run(sizes: BenchSizes, make: (port: number) => Promise<Fleet>): Promise<Run> {
  const broker = await startMosquitto({ persistence: false });
  try {
    const fleet = await make(broker.port);
    try {
      const perRestart: number[][] = [];
      for (let r = 0; r < sizes.restarts; r++) {
        await broker.restart();
        const backAt = wallNow();
        await publishRetained(broker.port, `restart-${r}`);
        const at = await fleet.delivered(backAt, 120_000);
        perRestart.push(at.map((t) => t - backAt));
        // The links stay up a while before the next restart, as in a broker crash loop.
        await new Promise((resolve) => setTimeout(resolve, sizes.restartHoldMs));
      }
      return { perRestart };
    } finally {
      await fleet.close();
    }
  } finally {
    await broker.stop();
  }
}

export async function repeatedRestarts(sizes: BenchSizes): Promise<BenchEntry[]> {
  const name = `broker back → first delivery over ${sizes.restarts} mosquitto restarts in a row (median)`;
  if (!existsSync(MOSQUITTO_BINARY))
    return [{ name, notMeasured: `needs Debian's mosquitto (${MOSQUITTO_BINARY}): apt-get install -y mosquitto` }];
  const n = sizes.restartClients;
  const ours = await run(sizes, (port) => ourFleet(port, n));
  const peer = await run(sizes, (port) => peerFleet(port, n));
  const all = (r: Run): number[] => r.perRestart.flat().sort((a, b) => a - b);
  const perRestartMedian = (r: Run): string => r.perRestart.map((ms) => Math.round(median(ms))).join(' ');
  return [
    {
      name,
      unit: 'ms',
      ours: median(all(ours)),
      peerName: 'MQTT.js defaults (reconnectPeriod 1 s)',
      peer: median(all(peer)),
      better: 'lower',
      // "Back within about the first backoff step": the first step plus its own spread.
      targetValue: DEFAULT_BACKOFF.initialDelayMs,
      details: {
        clients: n,
        restarts: sizes.restarts,
        'link up between restarts (ms)': sizes.restartHoldMs,
        'ours p95': percentile(all(ours), 95),
        'ours max': all(ours).at(-1) ?? Number.NaN,
        'peer p95': percentile(all(peer), 95),
        'peer max': all(peer).at(-1) ?? Number.NaN,
        'ours median per restart (ms)': perRestartMedian(ours),
        'peer median per restart (ms)': perRestartMedian(peer),
        broker: 'Debian mosquitto 2, no persistence, SIGTERM then started again at once',
      },
    },
  ];
}
