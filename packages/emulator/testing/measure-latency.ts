/**
 * Ad-hoc measurement (not a test): round-trip latency of QoS 0 publish → echo through the
 * emulator over TCP and WebSocket. Run: `pnpm exec tsx packages/emulator/testing/measure-latency.ts`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { startEmulator } from '../src/start-emulator.js';
import { silentLogger } from '../src/logger.js';
import { MemoryUsers, TestChannels } from './memory-service.js';

const POLICY = JSON.stringify({ Statement: [{ Effect: 'Allow', Action: 'iot:*', Resource: '*' }] });

async function measure(url: string, count: number): Promise<number[]> {
  const client = await mqtt.connectAsync(url, {
    clientId: `bench-${Math.random()}`,
    username: '?x-amz-customauthorizer-name=all&token=t',
    reconnectPeriod: 0,
  });
  (client.stream as { setNoDelay?: (on: boolean) => void }).setNoDelay?.(true);
  await client.subscribeAsync('bench/echo', { qos: 0 });
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const start = process.hrtime.bigint();
    await new Promise<void>((resolve) => {
      client.once('message', () => resolve());
      client.publish('bench/echo', 'x'.repeat(100));
    });
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  await client.endAsync();
  return samples.sort((a, b) => a - b);
}

const pct = (sorted: number[], p: number): string =>
  (sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0).toFixed(3);

const dataDir = await mkdtemp(join(tmpdir(), 'webcomm-bench-'));
const emulator = await startEmulator({
  dataDir,
  logger: silentLogger,
  users: new MemoryUsers(),
  channels: new TestChannels(),
  authorizers: {
    all: {
      handler: async () => ({
        isAuthenticated: true,
        principalId: 'bench',
        policyDocuments: [POLICY],
        disconnectAfterInSeconds: 3600,
        refreshAfterInSeconds: 3600,
      }),
    },
  },
});
for (const [name, url] of [
  ['tcp', emulator.endpoints.mqtt],
  ['ws', emulator.endpoints.ws],
] as const) {
  await measure(url, 500);
  const samples = await measure(url, 5000);
  console.log(
    `${name}: n=${samples.length} p50=${pct(samples, 0.5)} ms p99=${pct(samples, 0.99)} ms p99.9=${pct(samples, 0.999)} ms max=${pct(samples, 1)} ms`,
  );
}
await emulator.stop();
await rm(dataDir, { recursive: true, force: true });
