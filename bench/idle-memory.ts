/**
 * Benchmark 9: heap per idle subscribed connection on Node, ours (WebcommClient + NODELAY TCP
 * transport, one channel; on core's MQTT.js engine and on its lean engine) vs MQTT.js
 * `connect()` with one subscription. Each side runs in its own `--expose-gc` process against
 * aedes in another.
 */
import { ENGINES, engineSuffix } from './delivery-rate.js';
import { startBrokerProcess, startWorker } from './lib/broker-process.js';
import { median, type BenchEntry } from './lib/report.js';
import type { BenchSizes } from './lib/sizes.js';
import type { EngineName } from './lib/subscribers.js';
import type { IdleMemoryInput, IdleMemoryResult } from './workers/idle-memory.js';

async function oneRun(input: IdleMemoryInput): Promise<IdleMemoryResult> {
  const worker = startWorker<never, IdleMemoryResult>('workers/idle-memory.ts', input, ['--expose-gc']);
  const result = await worker.next();
  await worker.exited;
  return result;
}

export async function idleMemory(sizes: BenchSizes): Promise<BenchEntry[]> {
  const broker = await startBrokerProcess({ noDelay: true });
  const ours: Record<EngineName, IdleMemoryResult[]> = { 'mqtt.js': [], lean: [] };
  const peer: IdleMemoryResult[] = [];
  try {
    for (let round = 0; round < (sizes.smoke ? 1 : 3); round++) {
      for (const engine of ENGINES)
        ours[engine].push(await oneRun({ side: 'ours', engine, port: broker.port, count: sizes.idleConnections }));
      peer.push(await oneRun({ side: 'peer', port: broker.port, count: sizes.idleConnections }));
    }
  } finally {
    await broker.stop();
  }
  const kb = (runs: IdleMemoryResult[], key: keyof IdleMemoryResult): number => median(runs.map((r) => r[key])) / 1024;
  return ENGINES.map((engine) => ({
    name: `memory per idle connection (Node heap)${engineSuffix(engine)}`,
    unit: 'KB',
    ours: kb(ours[engine], 'heapPerConnection'),
    peerName: 'MQTT.js connect() + 1 subscription',
    peer: kb(peer, 'heapPerConnection'),
    better: 'lower',
    targetRatio: 1.2,
    details: {
      engine,
      connections: sizes.idleConnections,
      rounds: peer.length,
      'ours external KB': kb(ours[engine], 'externalPerConnection'),
      'peer external KB': kb(peer, 'externalPerConnection'),
      'ours rss KB': kb(ours[engine], 'rssPerConnection'),
      'peer rss KB': kb(peer, 'rssPerConnection'),
    },
  }));
}
