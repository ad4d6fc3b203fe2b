/**
 * A benchmark broker in its own process (its own core), driven over IPC by
 * {@link startBrokerProcess}. Argument: `nodelay` or `nagle`, and optionally `ws`.
 */
import { startBenchBroker } from '../lib/bench-broker.js';
import type { BrokerCommand, BrokerReply } from '../lib/broker-process.js';
import { wallNow } from '../lib/wall-clock.js';

const broker = await startBenchBroker({ noDelay: process.argv.includes('nodelay'), ws: process.argv.includes('ws') });
const send = (reply: BrokerReply): void => void process.send?.(reply);

/** Publishes `count` QoS 0 messages, yielding to the event loop every 1,000. */
async function blast(topic: string, count: number, payload: Buffer): Promise<void> {
  for (let sent = 0; sent < count;) {
    const batchEnd = Math.min(count, sent + 1000);
    for (; sent < batchEnd; sent++) {
      broker.aedes.publish({ cmd: 'publish', topic, payload, qos: 0, retain: false, dup: false }, () => undefined);
    }
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

process.on('message', (command: BrokerCommand) => {
  void (async () => {
    switch (command.cmd) {
      case 'blast':
        await blast(command.topic, command.count, Buffer.from(command.payload, 'base64'));
        send({ id: command.id, at: wallNow() });
        break;
      case 'restart': {
        const downAt = wallNow();
        await broker.restart();
        send({ id: command.id, at: wallNow(), downAt });
        break;
      }
      case 'clients':
        send({ id: command.id, at: wallNow(), clients: broker.aedes.connectedClients });
        break;
      case 'stop':
        await broker.stop();
        send({ id: command.id, at: wallNow() });
        process.disconnect();
        break;
    }
  })();
});
send({ id: 0, at: wallNow(), port: broker.port, ...(broker.wsPort === undefined ? {} : { wsPort: broker.wsPort }) });
