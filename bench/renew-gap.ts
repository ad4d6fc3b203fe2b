/**
 * How many messages a link renewal (`renewLink()`, e.g. before credentials or the 24 h WebSocket
 * limit expire) costs: a publisher streams at a fixed rate while the client renews its link N
 * times; counts what never arrived (clean session, QoS 0) and what arrived twice (persistent
 * session, QoS 1). Run: pnpm exec tsx bench/renew-gap.ts [renewals=20] [rate=1000]
 */
import { Aedes } from 'aedes';
import { createServer, type AddressInfo } from 'node:net';
import { tcpTransport, WebcommClient } from '@webcomm/node';

const renewals = Number(process.argv[2] ?? 20);
const rate = Number(process.argv[3] ?? 1000);

async function run(
  qos: 0 | 1,
): Promise<{ sent: number; received: number; unique: number; lost: number; duplicates: number }> {
  const broker = await Aedes.createBroker();
  const server = createServer({ noDelay: true }, (socket) => broker.handle(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const client = new WebcommClient({
    transport: tcpTransport({ host: '127.0.0.1', port: (server.address() as AddressInfo).port }),
    clientId: `renew-${qos}`,
    clean: qos === 0,
  });
  const seen: number[] = [];
  await client.subscribe<{ n: number }>('stream', (m) => void seen.push(m.n), { qos });
  await client.connect();
  let n = 0;
  const timer = setInterval(() => {
    broker.publish(
      {
        cmd: 'publish',
        topic: 'stream',
        payload: Buffer.from(JSON.stringify({ n: n++ })),
        qos,
        retain: false,
        dup: false,
      },
      () => undefined,
    );
  }, 1000 / rate);
  for (let i = 0; i < renewals; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const back = new Promise<void>((resolve) => client.once('connected', () => resolve()));
    client.renewLink();
    await back;
  }
  await new Promise((resolve) => setTimeout(resolve, 200));
  clearInterval(timer);
  await new Promise((resolve) => setTimeout(resolve, 300)); // let the last messages land
  const unique = new Set(seen).size;
  await client.close();
  await new Promise<void>((resolve) => broker.close(() => resolve()));
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return { sent: n, received: seen.length, unique, lost: n - unique, duplicates: seen.length - unique };
}

console.log(
  JSON.stringify({ renewals, ratePerSecond: rate, cleanQos0: await run(0), persistentQos1: await run(1) }, null, 2),
);
