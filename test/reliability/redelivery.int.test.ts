/**
 * QoS 1 deduplication never loses a message (issue 12, item 1), on aedes and on Debian's
 * mosquitto. Brokers number packet ids afresh for a new session (clean session, or a restart
 * without persistence), so a new message can repeat an old one's id, topic and payload: it must
 * reach the handler. A resend of an unacknowledged message on a kept session reaches it once
 * where the broker marks it DUP (mosquitto); where it does not (aedes), nothing proves a resend
 * and it may reach the handler twice (QoS 1 is at-least-once; docs/concepts.md).
 *
 * Each case publishes a sentinel after the message under test: QoS 1 keeps order per topic, so
 * once the sentinel is handled every earlier message was delivered or dropped.
 */
import { WebcommClient, type LogFields, type Logger } from '@webcomm/core';
import { startFaultProxy, type FaultProxy } from '@webcomm/node/testing';
import { connectAsync } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { startBroker } from '../helpers/broker.js';
import { nextEvent } from '../helpers/events.js';
import { startMosquitto } from '../helpers/mosquitto.js';
import { tcpTransport, type TcpTestTransport } from '../helpers/tcp-transport.js';

const TOPIC = 'game/dev/updates';

interface AnyBroker {
  readonly port: number;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

const brokers: Record<'aedes' | 'mosquitto', () => Promise<AnyBroker>> = {
  // Packet ids from 1 on every connection, as mosquitto numbers a new session: ids repeat.
  aedes: () => startBroker({ packetIdsFromOne: true }),
  // Without persistence: a restart forgets every session, as IoT Core does when it drops one.
  mosquitto: () => startMosquitto({ persistence: false }),
};

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Publishes QoS 1 messages from a separate plain MQTT.js connection. */
async function publish(port: number, ...payloads: string[]): Promise<void> {
  const publisher = await connectAsync(`mqtt://127.0.0.1:${port}`, {
    clientId: `pub-${Math.random()}`,
    reconnectPeriod: 0,
  });
  try {
    for (const payload of payloads) await publisher.publishAsync(TOPIC, payload, { qos: 1 });
  } finally {
    await publisher.endAsync();
  }
}

/**
 * A logger that keeps the redeliveries the client dropped (proof a resend happened) and tells
 * when a PINGRESP confirmed acknowledgements (what the client then forgets).
 */
function dropLog(): Logger & { readonly dropped: LogFields[]; confirmed(): Promise<void> } {
  const dropped: LogFields[] = [];
  const confirmations: (() => void)[] = [];
  const noop = (): void => undefined;
  return {
    dropped,
    confirmed: () => new Promise((resolve) => confirmations.push(resolve)),
    debug: (message, fields) => {
      if (message.startsWith('dropped a QoS 1 redelivery')) dropped.push(fields ?? {});
      if (message.startsWith('PINGRESP confirmed')) for (const resolve of confirmations.splice(0)) resolve();
    },
    info: noop,
    warn: noop,
    error: noop,
  };
}

async function subscriber(
  transport: TcpTestTransport,
  clean: boolean,
  logger?: Logger,
  clientId = `dedupe-${Date.now()}-${Math.random()}`,
) {
  const client = new WebcommClient({
    transport,
    clientId,
    clean,
    ...(logger === undefined ? {} : { logger, logLevel: 'debug' }),
  });
  cleanups.push(() => client.close());
  const got: string[] = [];
  const waiters: { text: string; resolve: () => void }[] = [];
  await client.subscribe<string>(
    TOPIC,
    (text) => {
      got.push(text);
      for (const w of waiters.filter((w) => w.text === text)) w.resolve();
    },
    { qos: 1, decode: (bytes) => Buffer.from(bytes).toString() },
  );
  await client.connect();
  const handled = (text: string): Promise<void> =>
    got.includes(text) ? Promise.resolve() : new Promise((resolve) => waiters.push({ text, resolve }));
  return { client, got, handled };
}

describe.each(['aedes', 'mosquitto'] as const)('QoS 1 deduplication on %s', (kind) => {
  it('clean: false, messages queued while away arrive right behind CONNACK: all delivered, once', async () => {
    const broker = await brokers[kind]();
    cleanups.push(() => broker.stop());
    const clientId = `away-${Date.now()}`;
    const first = await subscriber(tcpTransport(broker.port), false, undefined, clientId);
    await first.client.close();
    const sent = Array.from({ length: 20 }, (_, i) => `q${i + 1}`);
    await publish(broker.port, ...sent);
    const back = await subscriber(tcpTransport(broker.port), false, undefined, clientId);
    // aedes may let a live message overtake the queued ones: wait for each, then count.
    await Promise.all(sent.map((text) => back.handled(text)));
    await publish(broker.port, 'end');
    await back.handled('end');
    expect([...back.got].sort()).toEqual([...sent, 'end'].sort());
  });

  it.each([true, false])(
    'clean: %s, broker restart without persistence: the same message again is delivered again',
    async (clean) => {
      const broker = await brokers[kind]();
      cleanups.push(() => broker.stop());
      const { client, got, handled } = await subscriber(tcpTransport(broker.port), clean);
      await publish(broker.port, 'same', 'end-1');
      await handled('end-1');
      const back = nextEvent(client, 'connected');
      await broker.restart();
      const [info] = await back;
      expect(info.sessionPresent).toBe(false);
      await publish(broker.port, 'same', 'end-2');
      await handled('end-2');
      expect(got).toEqual(['same', 'end-1', 'same', 'end-2']);
    },
  );

  it('clean: true, network drop: the same payload published again after the reconnect is delivered twice', async () => {
    const broker = await brokers[kind]();
    cleanups.push(() => broker.stop());
    const proxy = await startFaultProxy({ port: broker.port });
    cleanups.push(() => proxy.close());
    const { client, got, handled } = await subscriber(tcpTransport(proxy.port), true);
    await publish(broker.port, 'same', 'end-1');
    await handled('end-1');
    const back = nextEvent(client, 'connected');
    proxy.drop();
    await back;
    await publish(broker.port, 'same', 'end-2');
    await handled('end-2');
    expect(got).toEqual(['same', 'end-1', 'same', 'end-2']);
  });

  it('clean: false, network drop after the PUBACKs were confirmed: the same payload published again is delivered twice', async () => {
    const broker = await brokers[kind]();
    cleanups.push(() => broker.stop());
    const proxy = await startFaultProxy({ port: broker.port });
    cleanups.push(() => proxy.close());
    const log = dropLog();
    const { client, got, handled } = await subscriber(tcpTransport(proxy.port), false, log);
    const confirmed = log.confirmed();
    await publish(broker.port, 'same', 'end-1');
    await handled('end-1');
    // The client's ping behind its PUBACKs came back: the broker has them, nothing can be resent.
    await confirmed;
    const back = nextEvent(client, 'connected');
    proxy.drop();
    const [info] = await back;
    expect(info.sessionPresent).toBe(true);
    await publish(broker.port, 'same', 'end-2');
    await handled('end-2');
    expect(got).toEqual(['same', 'end-1', 'same', 'end-2']);
  });

  it('clean: false, network drop before the PUBACKs arrive: none lost; resends once where marked DUP', async () => {
    const broker = await brokers[kind]();
    cleanups.push(() => broker.stop());
    const proxy: FaultProxy = await startFaultProxy({ port: broker.port });
    cleanups.push(() => proxy.close());
    const log = dropLog();
    const { client, got, handled } = await subscriber(tcpTransport(proxy.port), false, log);
    // On the first message, cut the link before MQTT.js writes its PUBACK: the broker still
    // holds that message (and whatever it sent after it) as unacknowledged.
    let cut = false;
    client.on('message', () => {
      if (cut) return;
      cut = true;
      proxy.blackHole();
      proxy.drop();
    });
    const back = nextEvent(client, 'connected');
    await publish(broker.port, 'm1', 'm2', 'm3', 'm4', 'm5');
    const [info] = await back;
    expect(info.sessionPresent).toBe(true);
    await publish(broker.port, 'end');
    await handled('end');
    if (kind === 'mosquitto') {
      expect(got).toEqual(['m1', 'm2', 'm3', 'm4', 'm5', 'end']);
      // The broker did resend what it had not seen acknowledged (with DUP), and the client dropped it.
      expect(log.dropped.length).toBeGreaterThanOrEqual(1);
    } else {
      // aedes resends without DUP: nothing proves a resend, so QoS 1's at-least-once shows.
      expect([...new Set(got)]).toEqual(['m1', 'm2', 'm3', 'm4', 'm5', 'end']);
      expect(log.dropped).toEqual([]);
    }
  });
});

describe('QoS 1 deduplication on mosquitto with persistence', () => {
  it('clean: false, broker restart that keeps the session: the same payload again is delivered again', async () => {
    const broker = await startMosquitto({ persistence: true });
    cleanups.push(() => broker.stop());
    const { client, got, handled } = await subscriber(tcpTransport(broker.port), false);
    await publish(broker.port, 'same', 'end-1');
    await handled('end-1');
    const back = nextEvent(client, 'connected');
    await broker.restart();
    const [info] = await back;
    expect(info.sessionPresent).toBe(true);
    await publish(broker.port, 'same', 'end-2');
    await handled('end-2');
    expect(got).toEqual(['same', 'end-1', 'same', 'end-2']);
  });
});
