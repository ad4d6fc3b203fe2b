/**
 * One conformance suite for every engine × transport: the behaviours a webcomm client must show
 * on any broker, run over real sockets. A broker file (`aedes.int.test.ts`,
 * `mosquitto.int.test.ts`) starts one broker with a TCP and a WebSocket listener and calls
 * {@link conformanceSuite}; the suite runs every case for the lean engine (the default on every
 * platform) over TCP, over WebSocket with the Duplex `WebSocketStream` Node's transport gives and
 * with the plain `WebSocketByteStream` browsers get; and for the opt-in MQTT.js engine over TCP and
 * over WebSocket (the Duplex stream it reads).
 *
 * To add a case: add an `it` below that uses `ctx.client()` and unique topics from `ctx.topic()`.
 * To add a broker: implement {@link ConformanceBroker} (how it refuses, how to restart it).
 */
import { mqttJsEngine } from '@webcomm/core/mqttjs';
import {
  ERROR_CODES,
  leanEngine,
  WebcommClient,
  type MqttEngine,
  type ReceivedMessage,
  type Transport,
  type WebcommClientOptions,
  type WebcommError,
} from '@webcomm/core';
import { webSocketTransport, WebSocketByteStream, type WebSocketConstructor } from '@webcomm/aws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { nextEvent, record } from '../helpers/events.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import { tcpTransport } from '../helpers/tcp-transport.js';

/** A running broker the suite runs against. Topics under `forbidden/` must be refused. */
export interface ConformanceBroker {
  readonly tcpPort: number;
  readonly wsPort: number;
  /**
   * How a SUBSCRIBE to `forbidden/…` is refused: SUBACK 0x80, closing the link (IoT Core on
   * 3.1.1), or granting it and never delivering (mosquitto 2.0's ACL file on 3.1.1 and 5).
   */
  readonly refusesSubscribeBy: 'suback' | 'close' | 'silent-drop';
  /** How a QoS 1 PUBLISH to `forbidden/…` is refused: closing the link, or PUBACK and a silent drop (mosquitto on 3.1.1). */
  readonly refusesPublishBy: 'close' | 'silent-drop';
  /** Drops every connection and listens again on the same ports (sessions may be lost). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** The engines under test: the default first, then the opt-in. */
export const ENGINES: Readonly<Record<string, MqttEngine>> = { lean: leanEngine, 'mqtt.js': mqttJsEngine };
/** The transports under test: TCP, WebSocket as a Duplex (Node), WebSocket as plain bytes (browsers). */
export const TRANSPORTS = ['tcp', 'ws', 'ws-bytes'] as const;
type TransportKind = (typeof TRANSPORTS)[number];
/** Each engine on every transport it can read: MQTT.js needs a Duplex, so not the byte stream. */
const TRANSPORTS_OF: Readonly<Record<string, readonly TransportKind[]>> = {
  lean: TRANSPORTS,
  'mqtt.js': ['tcp', 'ws'],
};

/** A WebSocket transport whose stream is the plain WebSocketByteStream, as browsers get it. */
function byteStreamTransport(port: number): Transport {
  const url = `ws://127.0.0.1:${port}/mqtt`;
  return {
    name: 'ws-bytes',
    async open() {
      const socket = new WebSocket(url, 'mqtt');
      const stream = new WebSocketByteStream(socket as unknown as ConstructorParameters<typeof WebSocketByteStream>[0]);
      await new Promise<void>((resolve, reject) => {
        socket.once('open', () => resolve());
        stream.once('error', reject);
      });
      return { stream, endpoint: url };
    },
  };
}

function transportFor(kind: TransportKind, port: number): Transport {
  if (kind === 'tcp') return tcpTransport(port);
  if (kind === 'ws-bytes') return byteStreamTransport(port);
  return webSocketTransport({
    endpoint: `ws://127.0.0.1:${port}`,
    auth: { type: 'none' },
    WebSocket: WebSocket as unknown as WebSocketConstructor,
  });
}

/** Collects the payloads (as text) `client` receives on topics matching `accept`. */
function inbox(
  client: WebcommClient,
  accept: (topic: string) => boolean = () => true,
): { readonly got: ReceivedMessage[]; count(n: number): Promise<void> } {
  const got: ReceivedMessage[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  client.on('message', (m) => {
    if (!accept(m.topic)) return;
    got.push(m);
    for (const w of [...waiters]) if (got.length >= w.n) w.resolve();
  });
  return {
    got,
    count: (n) => (got.length >= n ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ n, resolve }))),
  };
}

const text = (m: ReceivedMessage): string => new TextDecoder().decode(m.payload);
let runId = 0;

/** Registers the whole suite for the broker `start()` gives (one broker for the file). */
export function conformanceSuite(brokerName: string, start: () => Promise<ConformanceBroker>): void {
  let broker: ConformanceBroker;
  const cleanups: (() => Promise<void> | void)[] = [];
  beforeAll(async () => {
    broker = await start();
  });
  afterAll(async () => {
    await broker?.stop();
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  for (const [engineName, engine] of Object.entries(ENGINES)) {
    for (const kind of TRANSPORTS_OF[engineName] ?? []) {
      describe(`${brokerName}: ${engineName} over ${kind}`, () => {
        const run = `${engineName.replace('.', '')}-${kind}-${++runId}-${Date.now() % 100_000}`;
        let seq = 0;
        const port = (): number => (kind === 'tcp' ? broker.tcpPort : broker.wsPort);
        const topic = (name: string): string => `conf/${run}/${name}`;
        const client = (over: Partial<WebcommClientOptions> = {}, viaPort = port()): WebcommClient => {
          const c = new WebcommClient({
            transport: transportFor(kind, viaPort),
            engine,
            clientId: `${run}-${++seq}`,
            keepaliveSeconds: 5,
            backoff: { initialDelayMs: 20, maxDelayMs: 200 },
            ...over,
          });
          c.on('error', () => undefined);
          cleanups.push(() => c.close());
          return c;
        };
        /** A client that may publish (QoS 1 by default) to each of `topics`, as channels named after them. */
        const publisher = (topics: string[], over: Partial<WebcommClientOptions> = {}): WebcommClient =>
          client({
            channels: topics.map((t) => ({ name: t, topic: t, publish: 'broker' as const, decode: 'raw' as const })),
            ...over,
          });

        it('connects: CONNACK, state connected, no session on a clean start', async () => {
          const c = client();
          const connected = nextEvent(c, 'connected');
          await c.connect();
          expect(c.state).toBe('connected');
          expect((await connected)[0].sessionPresent).toBe(false);
        });

        it('wildcards: + matches one level, # the rest; other topics are not delivered', async () => {
          const sub = client();
          const box = inbox(sub);
          await sub.subscribe(topic('w/+/temp'), () => undefined, { decode: 'raw' });
          await sub.subscribe(topic('w/hash/#'), () => undefined, { decode: 'raw' });
          await sub.connect();
          const [plus, other, hash] = [topic('w/k1/temp'), topic('w/k1/humidity'), topic('w/hash/a/b')];
          const pub = publisher([plus, other, hash]);
          await pub.connect();
          for (const t of [plus, other, hash]) await pub.publish(t, `to ${t}`, { qos: 1 });
          await box.count(2);
          expect(box.got.map((m) => m.topic)).toEqual([plus, hash]);
        });

        it('QoS 1 both ways: publish resolves on PUBACK, the subscriber gets QoS 1', async () => {
          const t = topic('q1');
          const sub = client();
          const box = inbox(sub);
          await sub.subscribe(t, () => undefined, { qos: 1, decode: 'raw' });
          await sub.connect();
          const pub = publisher([t]);
          await pub.connect();
          for (let i = 1; i <= 5; i++) await pub.publish(t, `m${i}`, { qos: 1 });
          await box.count(5);
          expect(box.got.map(text)).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);
          expect(box.got.every((m) => m.qos === 1)).toBe(true);
        });

        it('persistent session: QoS 1 messages published while away arrive on return, once, with sessionPresent', async () => {
          const t = topic('persist');
          const clientId = `${run}-persistent`;
          const away = client({ clientId, clean: false });
          await away.subscribe(t, () => undefined, { qos: 1, decode: 'raw' });
          await away.connect();
          await away.close();
          const pub = publisher([t]);
          await pub.connect();
          for (let i = 1; i <= 3; i++) await pub.publish(t, `p${i}`, { qos: 1 });
          const back = client({ clientId, clean: false });
          const box = inbox(back);
          await back.subscribe(t, () => undefined, { qos: 1, decode: 'raw' });
          const connected = nextEvent(back, 'connected');
          await back.connect();
          expect((await connected)[0].sessionPresent).toBe(true);
          await box.count(3);
          expect(box.got.map(text)).toEqual(['p1', 'p2', 'p3']);
        });

        it('resubscribes after a broker restart and delivers again', async () => {
          const t = topic('restart');
          const sub = client();
          const box = inbox(sub);
          await sub.subscribe(t, () => undefined, { qos: 1, decode: 'raw' });
          await sub.connect();
          const pub = publisher([t]);
          await pub.connect();
          const back = Promise.all([nextEvent(sub, 'connected', (i) => i.attempt >= 1), nextEvent(pub, 'connected')]);
          await broker.restart();
          await back;
          await pub.publish(t, 'after restart', { qos: 1 });
          await box.count(1);
          expect(box.got.map(text)).toEqual(['after restart']);
        });

        it('a dead link (no bytes for 1.5 × keepalive) is replaced: DEAD_LINK, then connected again', async () => {
          const proxy: TcpProxy = await startTcpProxy(port());
          cleanups.push(() => proxy.close());
          const c = client({ keepaliveSeconds: 1 }, proxy.port);
          await c.connect();
          const down = nextEvent(c, 'disconnected');
          const again = nextEvent(c, 'connected');
          proxy.blackHole();
          expect((await down)[0].error?.code).toBe(ERROR_CODES.DEAD_LINK);
          await again;
          expect(c.state).toBe('connected');
        });

        it('a refused subscribe: SUBSCRIBE_REFUSED where the broker says so (SUBACK or close), nothing delivered where it drops; the granted one keeps delivering', async () => {
          const ok = topic('granted');
          const forbidden = `forbidden/${run}`;
          const sub = client();
          const box = inbox(sub);
          await sub.subscribe(ok, () => undefined, { decode: 'raw' });
          await sub.connect();
          const failure = await sub
            .subscribe(forbidden, () => undefined)
            .then(
              () => undefined,
              (error: unknown) => error as WebcommError,
            );
          expect(failure?.code).toBe(
            broker.refusesSubscribeBy === 'silent-drop' ? undefined : ERROR_CODES.SUBSCRIBE_REFUSED,
          );
          if (sub.state !== 'connected') await nextEvent(sub, 'connected');
          const pub = publisher([forbidden, ok]);
          await pub.connect();
          if (broker.refusesPublishBy === 'silent-drop') await pub.publish(forbidden, 'hidden', { qos: 1 });
          await pub.publish(ok, 'still here', { qos: 1 });
          await box.count(1);
          expect(box.got.map(text)).toEqual(['still here']);
        });

        it('a refused QoS 1 publish: PUBLISH_REFUSED where the broker closes on it, sent where it drops it; the link keeps working', async () => {
          const ok = topic('allowed');
          const bad = `forbidden/${run}/x`;
          const sub = client();
          const box = inbox(sub);
          await sub.subscribe(ok, () => undefined, { qos: 1, decode: 'raw' });
          await sub.connect();
          const pub = publisher([ok, bad]);
          const takenOver = record(pub, 'takenOver');
          await pub.connect();
          const outcome = await pub.publish(bad, 'nope', { qos: 1 }).then(
            () => 'sent',
            (error: unknown) => (error as WebcommError).code,
          );
          expect(outcome).toBe(broker.refusesPublishBy === 'close' ? ERROR_CODES.PUBLISH_REFUSED : 'sent');
          if (pub.state !== 'connected') await nextEvent(pub, 'connected');
          await pub.publish(ok, 'fine', { qos: 1 });
          await box.count(1);
          expect(box.got.map(text)).toEqual(['fine']);
          expect(takenOver).toEqual([]);
        });

        it('takeover: of two clients with one client ID, one stops with TAKEN_OVER, the other stays connected', async () => {
          const clientId = `${run}-twin`;
          const twin = (): WebcommClient => client({ clientId, onTakeover: 'stop', takeoverWindowMs: 60_000 });
          const [first, second] = [twin(), twin()];
          const stopped = Promise.race(
            [first, second].map((who) => nextEvent(who, 'state', (s) => s.to === 'failed').then(([s]) => ({ who, s }))),
          );
          await first.connect();
          await second.connect().catch(() => undefined);
          const { who, s } = await stopped;
          expect(s.error?.code).toBe(ERROR_CODES.TAKEN_OVER);
          const survivor = who === first ? second : first;
          if (survivor.state !== 'connected') await nextEvent(survivor, 'connected');
          expect(survivor.state).toBe('connected');
        });

        it('close: DISCONNECT and the socket closed on both sides; later calls reject with CLOSED', async () => {
          const proxy = await startTcpProxy(port());
          cleanups.push(() => proxy.close());
          const t = topic('closed');
          const direct = new WebcommClient({
            transport: transportFor(kind, proxy.port),
            engine,
            clientId: `${run}-closer`,
            channels: [{ name: t, topic: t, publish: 'broker' }],
          });
          cleanups.push(() => direct.close());
          await direct.connect();
          expect(proxy.open).toBe(1);
          await direct.close();
          expect(direct.state).toBe('closed');
          await expect.poll(() => proxy.open, { timeout: 5_000 }).toBe(0);
          await expect(direct.publish(t, 'late')).rejects.toMatchObject({ code: ERROR_CODES.CLOSED });
        });
      });
    }
  }
}
