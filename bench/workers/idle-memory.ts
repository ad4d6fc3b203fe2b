/**
 * Memory per idle connection, in its own process (run with --expose-gc): open one connection
 * to warm up (code loaded, JIT), measure the heap after GC, open `count` more idle subscribed
 * connections, measure again; the difference divided by `count`. Ours uses `@webcomm/node`'s
 * `tcpTransport` as an app does, not the benchmarks' wrapper that records attempts.
 */
import { tcpTransport } from '@webcomm/node';
import { reply, workerInput } from '../lib/broker-process.js';
import { ourSubscriber, peerSubscriber, type BenchSubscriber, type EngineName } from '../lib/subscribers.js';

export interface IdleMemoryInput {
  readonly side: 'ours' | 'peer';
  readonly port: number;
  readonly count: number;
  /** Ours only: core's MQTT engine. @default 'lean' */
  readonly engine?: EngineName;
}

/** Bytes per connection. */
export interface IdleMemoryResult {
  readonly heapPerConnection: number;
  readonly externalPerConnection: number;
  readonly rssPerConnection: number;
}

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc');
const input = workerInput<IdleMemoryInput>();
const open = (): Promise<BenchSubscriber> =>
  input.side === 'ours'
    ? ourSubscriber(input.port, 'json', () => undefined, {
        engine: input.engine ?? 'lean',
        transport: tcpTransport({ host: '127.0.0.1', port: input.port }),
      })
    : peerSubscriber(`mqtt://127.0.0.1:${input.port}`, 'json', () => undefined);
const settle = async (): Promise<NodeJS.MemoryUsage> => {
  for (let i = 0; i < 3; i++) {
    await new Promise((resolve) => setImmediate(resolve));
    gc();
  }
  return process.memoryUsage();
};

const warm = await open();
const before = await settle();
const clients: BenchSubscriber[] = [];
for (let i = 0; i < input.count; i++) clients.push(await open());
const after = await settle();
const per = (key: 'heapUsed' | 'external' | 'rss'): number => (after[key] - before[key]) / input.count;
const result: IdleMemoryResult = {
  heapPerConnection: per('heapUsed'),
  externalPerConnection: per('external'),
  rssPerConnection: per('rss'),
};
await Promise.all([warm, ...clients].map((c) => c.close()));
await reply(result);
process.exit(0);
