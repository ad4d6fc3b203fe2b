/**
 * A broker that refuses a SUBSCRIBE or a PUBLISH by closing the connection (IoT Core on MQTT
 * 3.1.1; here aedes, whose authorize hooks close the client when they call back an error). The
 * client attributes the close to the request in flight, restores the rest, tries the suspect
 * alone once more, then gives up on it alone: SUBSCRIBE_REFUSED / PUBLISH_REFUSED, no takeover,
 * still connected with everything else.
 */
import { ERROR_CODES, WebcommClient, type WebcommClientOptions, type WebcommError } from '@webcomm/core';
import { afterEach, describe, expect, it } from 'vitest';
import { startBroker, type TestBroker, type TestBrokerOptions } from '../helpers/broker.js';
import { nextEvent, record } from '../helpers/events.js';
import { tcpTransport } from '../helpers/tcp-transport.js';

const FORBIDDEN = 'game/dev/secret';
let broker: TestBroker;
const clients: WebcommClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await broker.stop();
});

/** aedes closing the client on a forbidden filter or topic, counting what it refused. */
async function strictBroker(): Promise<{ subscribeCloses: string[]; publishCloses: string[] }> {
  const subscribeCloses: string[] = [];
  const publishCloses: string[] = [];
  const hooks: TestBrokerOptions = {
    authorizeSubscribe: (_client, subscription, done) => {
      if (subscription.topic !== FORBIDDEN) return done(null, subscription);
      subscribeCloses.push(subscription.topic);
      done(new Error('not allowed by policy'), null);
    },
    authorizePublish: (_client, packet, done) => {
      if (packet.topic !== FORBIDDEN) return done(null);
      publishCloses.push(packet.topic);
      done(new Error('not allowed by policy'));
    },
  };
  broker = await startBroker(hooks);
  return { subscribeCloses, publishCloses };
}

function makeClient(over: Partial<WebcommClientOptions> = {}): WebcommClient {
  const client = new WebcommClient({
    transport: tcpTransport(broker.port),
    clientId: `refused-${Date.now()}-${clients.length}`,
    ...over,
  });
  clients.push(client);
  return client;
}

function push(topic: string, payload: string): Promise<void> {
  return new Promise((resolve, reject) =>
    broker.aedes.publish(
      { cmd: 'publish', topic, payload: Buffer.from(payload), qos: 0, retain: false, dup: false },
      (e) => (e ? reject(e) : resolve()),
    ),
  );
}

/** The next message on `topic` reaches a handler. */
async function stillDelivers(client: WebcommClient, topic: string, got: string[]): Promise<void> {
  const arrived = nextEvent(client, 'message', (m) => m.topic === topic);
  await push(topic, JSON.stringify('ping'));
  await arrived;
  expect(got).toContain('ping');
}

describe('a SUBSCRIBE refused by closing the link (aedes as IoT Core)', () => {
  it('while connected: subscribe() rejects with SUBSCRIBE_REFUSED after at most 2 link drops; the rest keeps delivering', async () => {
    const seen = await strictBroker();
    const client = makeClient();
    const errors = record(client, 'error');
    const drops = record(client, 'disconnected');
    const takenOver = record(client, 'takenOver');
    const news: string[] = [];
    await client.connect();
    await client.subscribe<string>('game/dev/news', (m) => void news.push(m));
    const started = performance.now();
    const failure = await client
      .subscribe(FORBIDDEN, () => undefined)
      .then(
        () => undefined,
        (error: unknown) => error as WebcommError,
      );
    const ms = performance.now() - started;
    expect(failure?.code).toBe(ERROR_CODES.SUBSCRIBE_REFUSED);
    expect(failure?.topic).toBe(FORBIDDEN);
    expect(failure?.message).toContain(`"${FORBIDDEN}"`);
    expect(failure?.message).toMatch(/policy/);
    expect(failure?.message).toMatch(/typo/);
    expect(errors.map(([e]) => e.code)).toEqual([ERROR_CODES.SUBSCRIBE_REFUSED]);
    // Two link drops: the first SUBSCRIBE, and the lone retry while restoring (before
    // `connected`, so only the first is a `disconnected` event).
    expect(seen.subscribeCloses.length).toBe(2);
    expect(drops.length).toBe(1);
    expect(takenOver).toEqual([]);
    await nextEvent(client, 'connected');
    expect(client.state).toBe('connected');
    await stillDelivers(client, 'game/dev/news', news);
    // The refused filter is gone: the next reconnect does not send it again.
    const before = seen.subscribeCloses.length;
    const back = nextEvent(client, 'connected');
    for (const socket of broker.sockets) socket.destroy();
    await back;
    await stillDelivers(client, 'game/dev/news', news);
    expect(seen.subscribeCloses.length).toBe(before);
    console.log(`SUBSCRIBE_REFUSED after ${seen.subscribeCloses.length} link drops in ${ms.toFixed(0)} ms`);
  });

  it('restoring on connect: the bad filter sent with others is isolated; connect() resolves with the rest', async () => {
    const seen = await strictBroker();
    const client = makeClient();
    const errors = record(client, 'error');
    const takenOver = record(client, 'takenOver');
    const got: string[] = [];
    for (const t of ['a', 'b', 'c']) await client.subscribe<string>(`game/dev/${t}`, (m) => void got.push(m));
    await client.subscribe(FORBIDDEN, () => undefined); // offline: resolves at once
    await client.connect();
    await new Promise<void>((resolve) => (errors.length > 0 ? resolve() : client.once('error', () => resolve())));
    expect(errors.map(([e]) => [e.code, e.topic])).toEqual([[ERROR_CODES.SUBSCRIBE_REFUSED, FORBIDDEN]]);
    expect(seen.subscribeCloses.length).toBe(2);
    expect(takenOver).toEqual([]);
    if (client.state !== 'connected') await nextEvent(client, 'connected');
    for (const t of ['a', 'b', 'c']) await stillDelivers(client, `game/dev/${t}`, got);
  });
});

describe('a close that only looks like a refusal', () => {
  it('one drop while restoring 10 subscriptions refuses none: each is tried alone on the next link and kept', async () => {
    let closed = 0;
    broker = await startBroker({
      authorizeSubscribe: (_client, subscription, done) => {
        // The first SUBSCRIBE of the run is cut, as a network blip would; nothing is refused.
        if (closed === 0 && subscription.topic.startsWith('game/dev/r')) {
          closed += 1;
          return done(new Error('blip'), null);
        }
        done(null, subscription);
      },
    });
    const client = makeClient();
    const errors = record(client, 'error');
    const got: string[] = [];
    const topics = Array.from({ length: 10 }, (_, i) => `game/dev/r${i}`);
    for (const t of topics) await client.subscribe<string>(t, (m) => void got.push(m));
    await client.connect();
    expect(closed).toBe(1);
    for (const t of topics) await stillDelivers(client, t, got);
    expect(errors).toEqual([]);
  });
});

describe('a broker publish refused by closing the link (aedes as IoT Core)', () => {
  it('rejects that message with PUBLISH_REFUSED, sends the others, no takeover', async () => {
    const seen = await strictBroker();
    const client = makeClient({
      channels: [
        { name: 'tools', type: 'broadcast', topic: 'game/dev/tools', clientPublish: false, publish: 'broker' },
        { name: 'secret', type: 'broadcast', topic: FORBIDDEN, clientPublish: false, publish: 'broker' },
      ],
    });
    const takenOver = record(client, 'takenOver');
    const drops = record(client, 'disconnected');
    const arrived: string[] = [];
    broker.aedes.on(
      'publish',
      (packet, from) =>
        void (from !== null && packet.topic === 'game/dev/tools' && arrived.push(packet.payload.toString())),
    );
    await client.connect();
    const started = performance.now();
    const results = await Promise.allSettled([
      client.publish('tools', 't1', { qos: 1 }),
      client.publish('secret', 'nope', { qos: 1 }),
      client.publish('tools', 't2', { qos: 1 }),
      client.publish('tools', 't3', { qos: 1 }),
    ]);
    const ms = performance.now() - started;
    const refused = results[1];
    expect(refused.status).toBe('rejected');
    expect((refused as PromiseRejectedResult).reason).toMatchObject({
      code: ERROR_CODES.PUBLISH_REFUSED,
      topic: FORBIDDEN,
      fatal: false,
    });
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    expect([...new Set(arrived)].sort()).toEqual(['t1', 't2', 't3']);
    expect(seen.publishCloses.length).toBeLessThanOrEqual(3);
    expect(takenOver).toEqual([]);
    expect(client.queuedPublishes).toBe(0);
    if (client.state !== 'connected') await nextEvent(client, 'connected');
    // Not requeued: another publish goes through on a link that stays up.
    await client.publish('tools', 't4', { qos: 1 });
    expect(seen.publishCloses.length).toBeLessThanOrEqual(3);
    console.log(
      `PUBLISH_REFUSED after ${seen.publishCloses.length} link drops (${drops.length} disconnected events) in ${ms.toFixed(0)} ms`,
    );
  });
});
