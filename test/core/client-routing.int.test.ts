import { ERROR_CODES, WebcommClient, type WebcommClientOptions, type WebcommError } from '@webcomm/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startBroker, type TestBroker } from '../helpers/broker.js';
import { nextEvent, record } from '../helpers/events.js';
import { tcpTransport } from '../helpers/tcp-transport.js';

let broker: TestBroker;
const clients: WebcommClient[] = [];

beforeEach(async () => {
  broker = await startBroker();
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await broker.stop();
});

function makeClient(over: Partial<WebcommClientOptions> = {}): WebcommClient {
  const client = new WebcommClient({
    transport: tcpTransport(broker.port),
    clientId: `c${clients.length}-${Date.now()}`,
    ...over,
  });
  clients.push(client);
  return client;
}

/** Publishes from the broker side and resolves once aedes has routed it. */
function push(topic: string, payload: string | Buffer, retain = false): Promise<void> {
  return new Promise((resolve, reject) =>
    broker.aedes.publish(
      {
        cmd: 'publish',
        topic,
        payload: typeof payload === 'string' ? Buffer.from(payload) : payload,
        qos: 0,
        retain,
        dup: false,
      },
      (error) => (error ? reject(error) : resolve()),
    ),
  );
}

describe('WebcommClient routing (real aedes, real TCP)', () => {
  it('connects, subscribes to a channel by name and receives typed JSON', async () => {
    const client = makeClient({
      channels: [{ name: 'news', type: 'broadcast', topic: 'game/dev/news', clientPublish: false }],
    });
    const states = record(client, 'state');
    await client.connect();
    expect(client.state).toBe('connected');
    const got: unknown[] = [];
    let resolveArrived!: () => void;
    const arrived = new Promise<void>((resolve) => (resolveArrived = resolve));
    await client.subscribe<{ text: string }>('news', (message, meta) => {
      got.push([message, meta.channel, meta.topic]);
      resolveArrived();
    });
    await push('game/dev/news', JSON.stringify({ text: 'hello' }));
    await arrived;
    expect(got).toEqual([[{ text: 'hello' }, 'news', 'game/dev/news']]);
    expect(states.map(([s]) => `${s.from}>${s.to}`)).toEqual(['idle>connecting', 'connecting>connected']);
  });

  it('routes wildcards, several handlers per filter, and raw decoding', async () => {
    const client = makeClient();
    await client.connect();
    const seen: string[] = [];
    const done = nextEvent(client, 'message', (m) => m.topic === 'end');
    await client.subscribe('a/+/c', (_m, meta) => void seen.push(`plus:${meta.topic}`), { decode: 'raw' });
    await client.subscribe('a/#', (_m, meta) => void seen.push(`hash1:${meta.topic}`), { decode: 'raw' });
    await client.subscribe('a/#', (m: Uint8Array) => void seen.push(`hash2:${Buffer.from(m).toString()}`), {
      decode: 'raw',
    });
    await client.subscribe('end', () => undefined, { decode: 'raw' });
    for (const t of ['a/b/c', 'a/x', 'b/b/c', 'a']) await push(t, t);
    await push('end', '');
    await done;
    expect(seen.sort()).toEqual(
      ['plus:a/b/c', 'hash1:a/b/c', 'hash2:a/b/c', 'hash1:a/x', 'hash2:a/x', 'hash1:a', 'hash2:a'].sort(),
    );
  });

  it('routes 1,000 subscriptions correctly, sending at most 8 filters per SUBSCRIBE', async () => {
    const client = makeClient();
    await client.connect();
    const packets: number[] = [];
    broker.aedes.on('subscribe', (subs) => packets.push(subs.length));
    const hits = new Map<string, string[]>();
    const filters = Array.from({ length: 1000 }, (_, i) => (i % 10 === 0 ? `room/${i}/+` : `room/${i}/chat`));
    await Promise.all(
      filters.map((f) =>
        client.subscribe(f, (_m, meta) => void hits.set(f, [...(hits.get(f) ?? []), meta.topic]), { decode: 'raw' }),
      ),
    );
    const done = nextEvent(client, 'message', (m) => m.topic === 'room/999/chat');
    for (const i of [0, 1, 10, 500, 777, 999]) await push(`room/${i}/chat`, 'x');
    await done;
    expect(Object.fromEntries(hits)).toEqual({
      'room/0/+': ['room/0/chat'],
      'room/1/chat': ['room/1/chat'],
      'room/10/+': ['room/10/chat'],
      'room/500/+': ['room/500/chat'],
      'room/777/chat': ['room/777/chat'],
      'room/999/chat': ['room/999/chat'],
    });
    expect(Math.max(...packets)).toBeLessThanOrEqual(8);
  });

  it('restores 20 subscriptions in SUBSCRIBE packets of at most 8 filters on connect', async () => {
    const client = makeClient();
    const packets: number[] = [];
    broker.aedes.on('subscribe', (subs) => packets.push(subs.length));
    for (let i = 0; i < 20; i++) await client.subscribe(`t/${i}`, () => undefined);
    await client.connect();
    expect(packets).toEqual([8, 8, 4]);
  });

  it('turns bad payloads and throwing handlers into error events; other handlers keep working', async () => {
    const client = makeClient();
    await client.connect();
    const errors = record(client, 'error');
    const good: unknown[] = [];
    await client.subscribe('t', () => {
      throw new Error('handler bug');
    });
    await client.subscribe('t', async () => {
      throw new Error('async handler bug');
    });
    await client.subscribe('t', (m) => void good.push(m));
    await client.subscribe('t', (m) => void good.push(['raw', Buffer.from(m as Uint8Array).toString()]), {
      decode: 'raw',
    });
    const done = nextEvent(client, 'message', (m) => m.topic === 't' && m.payload.byteLength === 1);
    await push('t', '{not json');
    await push('t', Buffer.from([0xff, 0xfe]));
    await push('t', '1');
    await done;
    await new Promise((resolve) => setImmediate(resolve)); // let the async handler's rejection land
    expect(good).toEqual([['raw', '{not json'], ['raw', Buffer.from([0xff, 0xfe]).toString()], 1, ['raw', '1']]);
    const codes = errors.map(([e]) => `${e.code}@${e.topic}`);
    expect(codes.filter((c) => c === `${ERROR_CODES.DECODE_FAILED}@t`)).toHaveLength(2);
    expect(codes.filter((c) => c === `${ERROR_CODES.HANDLER_FAILED}@t`)).toHaveLength(2);
    expect(client.state).toBe('connected');
  });

  it('rejects invalid filters and unknown publish targets before sending anything', async () => {
    const client = makeClient({
      channels: [
        { name: 'news', type: 'broadcast', topic: 'game/news', clientPublish: false },
        { name: 'out', topic: 'game/out', publish: 'broker' },
      ],
    });
    await client.connect();
    const published: string[] = [];
    broker.aedes.on('publish', (packet, c) => {
      if (c) published.push(packet.topic);
    });
    const codeOf = (p: Promise<unknown>): Promise<string> =>
      p.then(
        () => 'resolved',
        (e: WebcommError) => e.code,
      );
    expect(await codeOf(client.subscribe('a/#/b', () => undefined))).toBe(ERROR_CODES.INVALID_TOPIC);
    expect(await codeOf(client.publish('news', { x: 1 }))).toBe(ERROR_CODES.PUBLISH_NOT_ENABLED);
    expect(await codeOf(client.publish('game/news', { x: 1 }))).toBe(ERROR_CODES.PUBLISH_NOT_ENABLED);
    expect(await codeOf(client.publish('out', new Uint8Array(128 * 1024 + 1)))).toBe(ERROR_CODES.INVALID_PAYLOAD);
    expect(await codeOf(client.publish('out', 10n))).toBe(ERROR_CODES.INVALID_PAYLOAD);
    await client.publish('out', { ok: true }, { qos: 1 });
    expect(published).toEqual(['game/out']);
    client.enablePublish('news');
    await client.publish('news', 'now allowed', { qos: 1 });
    expect(published).toEqual(['game/out', 'game/news']);
  });

  it('refuses a misspelt channel name (UNKNOWN_CHANNEL, "did you mean") instead of subscribing to a raw one-level topic', async () => {
    const client = makeClient({
      channels: [
        { name: 'news', type: 'broadcast', topic: 'game/news', clientPublish: false },
        { name: 'alerts', topic: 'alerts' },
      ],
    });
    await client.connect();
    const subscribed: string[] = [];
    broker.aedes.on('subscribe', (subscriptions) => subscribed.push(...subscriptions.map((s) => s.topic)));
    const typo = await client
      .subscribe('newz', () => undefined)
      .then(
        () => undefined,
        (e: WebcommError) => e,
      );
    expect(typo?.code).toBe(ERROR_CODES.UNKNOWN_CHANNEL);
    expect(typo?.message).toContain('did you mean "news"?');
    const unlike = await client.subscribe('sports', () => undefined).catch((e: WebcommError) => e);
    expect((unlike as WebcommError).message).toContain('the channels are "news", "alerts"');
    const publishTypo = await client.publish('newz', 1).catch((e: WebcommError) => e);
    expect((publishTypo as WebcommError).message).toContain('did you mean "news"?');
    // A one-level topic declared as a channel, a channel by name and a raw multi-level filter still subscribe.
    const arrived = nextEvent(client, 'message', (m) => m.topic === 'alerts');
    await client.subscribe('alerts', () => undefined);
    await client.subscribe('news', () => undefined);
    await client.subscribe('game/newz', () => undefined);
    expect(subscribed).toEqual(['alerts', 'game/news', 'game/newz']);
    await push('alerts', '{}');
    await arrived;
    // With no channels configured, a plain word is an MQTT topic as before.
    const raw = makeClient();
    await raw.connect();
    await raw.subscribe('newz', () => undefined);
    expect(subscribed.at(-1)).toBe('newz');
  });

  it('unsubscribe stops delivery to that handler only, and UNSUBSCRIBEs after the last one', async () => {
    const client = makeClient();
    await client.connect();
    const unsubscribed: string[] = [];
    broker.aedes.on('unsubscribe', (topics) => unsubscribed.push(...topics));
    const a: unknown[] = [];
    const b: unknown[] = [];
    const offA = await client.subscribe('u', (m) => void a.push(m));
    const offB = await client.subscribe('u', (m) => void b.push(m));
    await offA();
    let done = nextEvent(client, 'message');
    await push('u', '1');
    await done;
    expect([a, b, unsubscribed]).toEqual([[], [1], []]);
    await offB();
    expect(unsubscribed).toEqual(['u']);
    done = nextEvent(client, 'message');
    await client.subscribe('v', () => undefined);
    await push('u', '2');
    await push('v', '3');
    await done;
    expect(b).toEqual([1]);
  });

  it('routes a/# to a by MQTT rule, and not with hashMatchesParent: false (IoT Core)', async () => {
    for (const hashMatchesParent of [true, false]) {
      const client = makeClient({ hashMatchesParent });
      await client.connect();
      const got: string[] = [];
      await client.subscribe('s/#', (_m, meta) => void got.push(meta.topic), { decode: 'raw' });
      await client.subscribe('end', () => undefined);
      const done = nextEvent(client, 'message', (m) => m.topic === 'end');
      await push('s', 'x');
      await push('end', '1');
      await done;
      expect(got).toEqual(hashMatchesParent ? ['s'] : []);
    }
  });
});

describe('logging', () => {
  it('never hands a secret to the logger, even at debug level', async () => {
    const lines: string[] = [];
    const sink = (level: string) => (message: string, fields?: unknown) =>
      void lines.push(`${level} ${message} ${JSON.stringify(fields)}`);
    const secret = 'hunter2-SECRET';
    const signedUrl = `wss://x.example/mqtt?X-Amz-Signature=${secret}&X-Amz-Security-Token=${secret}`;
    const base = tcpTransport(broker.port, { username: 'user', password: secret });
    let first = true;
    const client = makeClient({
      logLevel: 'debug',
      logger: { debug: sink('debug'), info: sink('info'), warn: sink('warn'), error: sink('error') },
      backoff: { initialDelayMs: 1 },
      transport: {
        name: 'leaky',
        async open(context) {
          if (first) {
            first = false;
            throw new Error(`upgrade failed for ${signedUrl} password=${secret}`);
          }
          return { ...(await base.open(context)), endpoint: signedUrl };
        },
      },
    });
    await client.connect();
    expect(lines.some((l) => l.includes('reconnecting'))).toBe(true);
    expect(lines.some((l) => l.includes('x.example'))).toBe(true);
    expect(lines.join('\n')).not.toContain(secret);
  });
});
