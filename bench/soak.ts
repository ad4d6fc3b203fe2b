/**
 * Soak (bounded, not in CI): N reconnects of one client through the fault proxy to a local aedes,
 * then heap, listener and timer counts compared with before. Run with:
 *   node --expose-gc --import tsx bench/soak.ts [reconnects=10000]
 */
import { Aedes } from 'aedes';
import { createServer, type AddressInfo } from 'node:net';
import { WebcommClient, tcpTransport } from '@webcomm/node';
import { startFaultProxy } from '@webcomm/node/testing';

const reconnects = Number(process.argv[2] ?? 10_000);
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with node --expose-gc');

const broker = await Aedes.createBroker();
const server = createServer({ noDelay: true }, (socket) => broker.handle(socket));
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const proxy = await startFaultProxy({ port: (server.address() as AddressInfo).port });
const client = new WebcommClient({
  transport: tcpTransport({ host: '127.0.0.1', port: proxy.port }),
  clientId: 'soak',
  backoff: { initialDelayMs: 1, maxDelayMs: 2 },
  stableAfterMs: 0,
});
await client.connect();
for (let i = 0; i < 10; i++) await client.subscribe(`soak/${i}`, () => undefined);

const snapshot = (): { heapKB: number; resources: Record<string, number>; listeners: number } => {
  gc();
  gc();
  const resources: Record<string, number> = {};
  for (const name of process.getActiveResourcesInfo()) resources[name] = (resources[name] ?? 0) + 1;
  const listeners = client.eventNames().reduce((n, e) => n + client.listenerCount(e), 0);
  return { heapKB: Math.round(process.memoryUsage().heapUsed / 1024), resources, listeners };
};

// Warm up (JIT, pools), then measure.
const cycle = async (): Promise<void> => {
  const back = new Promise<void>((resolve) => client.once('connected', () => resolve()));
  proxy.drop();
  await back;
};
for (let i = 0; i < 200; i++) await cycle();
const before = snapshot();
const started = Date.now();
for (let i = 0; i < reconnects; i++) await cycle();
const seconds = (Date.now() - started) / 1000;
const after = snapshot();
console.log(
  JSON.stringify(
    {
      reconnects,
      seconds,
      perSecond: Math.round(reconnects / seconds),
      before,
      after,
      heapGrowthPercent: Math.round(((after.heapKB - before.heapKB) / before.heapKB) * 1000) / 10,
    },
    null,
    2,
  ),
);
await client.close();
await proxy.close();
await new Promise<void>((resolve) => broker.close(() => resolve()));
await new Promise<void>((resolve) => server.close(() => resolve()));
