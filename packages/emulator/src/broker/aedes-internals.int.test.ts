import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Aedes, type Client } from 'aedes';
import type { MqttClient } from 'mqtt';
import { closed, connect, subscribe } from '../../testing/mqtt-helpers.js';
import type { ParsedPacket } from './aedes-internals.js';
import {
  beforeEachPacket,
  cleanStoredSubscriptions,
  clientOfStream,
  clientMaximumPacketSize,
  clientSentDisconnect,
  clientSessionExpiryInterval,
  discardQueuedMessages,
  editNextConnack,
  forgetWill,
  heldFilters,
  isClientClosed,
  messageCounter,
  queuedMessageCount,
  setMqtt5Limits,
  skipEmptyQueueClears,
} from './aedes-internals.js';

// Guards the aedes fields the IoT rules read (see aedes-internals.ts). A failure here after an
// aedes upgrade means a field moved: fix the accessor, not this test.

let broker: Aedes;
let server: Server;
let url: string;
const streams: Socket[] = [];
const mqttClients: MqttClient[] = [];

function nextClient(event: 'client' | 'clientReady' | 'clientDisconnect'): Promise<Client> {
  return new Promise((resolve) => broker.once(event, resolve));
}

beforeEach(async () => {
  broker = await Aedes.createBroker();
  server = createServer((socket) => {
    streams.push(socket);
    broker.handle(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  await Promise.all(mqttClients.splice(0).map((c) => c.endAsync(true)));
  streams.splice(0);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await new Promise<void>((resolve) => broker.close(() => resolve()));
});

async function connected(clientId: string, clean = true): Promise<{ mqtt: MqttClient; client: Client }> {
  const ready = nextClient('clientReady');
  const c = await connect(url, { clientId, clean });
  mqttClients.push(c);
  return { mqtt: c, client: await ready };
}

describe('aedes internals the IoT rules depend on', () => {
  it('stream.client is the aedes client of that connection', async () => {
    const { client } = await connected('a');
    expect(streams).toHaveLength(1);
    expect(clientOfStream(streams[0] as Socket)).toBe(client);
    expect(clientOfStream({})).toBeUndefined();
  });

  it('client._parser shows a whole SUBSCRIBE before aedes handles it, and may change its QoS', async () => {
    const seen: ParsedPacket[] = [];
    broker.preConnect = (client, _packet, done) => {
      expect(
        beforeEachPacket(client, (packet) => {
          seen.push(packet);
          for (const subscription of packet.subscriptions ?? []) subscription.qos = 0;
        }),
      ).toBe(true);
      done(null, true);
    };
    const { mqtt } = await connected('a');
    expect(await subscribe(mqtt, ['x/1', 'x/2'], 1)).toEqual([0, 0]);
    const subscribes = seen.filter((packet) => packet.cmd === 'subscribe');
    expect(subscribes).toHaveLength(1);
    expect(subscribes[0]?.subscriptions).toHaveLength(2);
  });

  it('client.subscriptions holds the filters of this connection, keyed by filter', async () => {
    const { mqtt, client } = await connected('a');
    expect(heldFilters(client)).toEqual({});
    await subscribe(mqtt, ['x/+', 'y/#']);
    expect(Object.keys(heldFilters(client)).sort()).toEqual(['x/+', 'y/#']);
    await mqtt.unsubscribeAsync('x/+');
    expect(Object.keys(heldFilters(client))).toEqual(['y/#']);
  });

  it('client._disconnected is true after DISCONNECT and false when the stream just drops', async () => {
    const polite = await connected('polite');
    let gone = nextClient('clientDisconnect');
    await polite.mqtt.endAsync();
    expect(await gone).toBe(polite.client);
    expect(clientSentDisconnect(polite.client)).toBe(true);
    expect(isClientClosed(polite.client)).toBe(true);

    const rude = await connected('rude');
    expect(isClientClosed(rude.client)).toBe(false);
    gone = nextClient('clientDisconnect');
    (streams[1] as Socket).destroy();
    await gone;
    expect(clientSentDisconnect(rude.client)).toBe(false);
    expect(isClientClosed(rude.client)).toBe(true);
  });

  it("broker.persistence.cleanSubscriptions forgets a persistent session's subscriptions", async () => {
    const first = await connected('keeper', false);
    await subscribe(first.mqtt, 'kept/topic', 1);
    const gone = nextClient('clientDisconnect');
    await first.mqtt.endAsync();
    await gone;
    await cleanStoredSubscriptions(broker, 'keeper');
    const again = await connected('keeper', false);
    expect(heldFilters(again.client)).toEqual({});
    await again.mqtt.endAsync();
    void closed(again.mqtt);
  });

  it('without cleanSubscriptions the persistent session keeps its subscriptions (the control case)', async () => {
    const first = await connected('keeper', false);
    await subscribe(first.mqtt, 'kept/topic', 1);
    const gone = nextClient('clientDisconnect');
    await first.mqtt.endAsync();
    await gone;
    const again = await connected('keeper', false);
    expect(Object.keys(heldFilters(again.client))).toEqual(['kept/topic']);
  });

  it('forgetWill clears client.will and the will aedes persisted', async () => {
    const ready = nextClient('clientReady');
    const c = await connect(url, {
      clientId: 'willing',
      will: { topic: 'w', payload: Buffer.from('bye'), qos: 0, retain: false },
    });
    mqttClients.push(c);
    const client = await ready;
    const persistence = (broker as unknown as { persistence: { getWill(c: { id: string }): Promise<unknown> } })
      .persistence;
    expect((client as unknown as { will: unknown }).will).toMatchObject({ topic: 'w' });
    expect(await persistence.getWill({ id: 'willing' })).toMatchObject({ topic: 'w' });
    await forgetWill(broker, client);
    expect((client as unknown as { will: unknown }).will).toBeNull();
    expect(await persistence.getWill({ id: 'willing' })).toBeUndefined();
  });

  it("editNextConnack edits the CONNACK aedes writes; setMqtt5Limits and the client's CONNECT values are read", async () => {
    setMqtt5Limits(broker, { topicAliasMaximum: 8, sessionExpiryIntervalLimit: 60, pendingSessionsLimit: 0 });
    broker.preConnect = (client, _packet, done) => {
      editNextConnack(client.conn, (connack) => {
        connack.properties = { ...connack.properties, userProperties: { edited: 'yes' } };
      });
      done(null, true);
    };
    const ready = nextClient('clientReady');
    const c = await connect(url, {
      clientId: 'v5',
      protocolVersion: 5,
      properties: { maximumPacketSize: 2048, sessionExpiryInterval: 600 },
    });
    mqttClients.push(c);
    const client = await ready;
    // MQTT.js keeps the CONNACK it got (a private field; the 'connect' event has passed).
    expect((c as unknown as { connackPacket: { properties?: object } }).connackPacket.properties).toMatchObject({
      userProperties: { edited: 'yes' },
      topicAliasMaximum: 8,
      sessionExpiryInterval: 60,
    });
    expect(clientMaximumPacketSize(client)).toBe(2048);
    expect(clientSessionExpiryInterval(client)).toBe(60);
    // And the link still works after the rewritten CONNACK.
    expect(await subscribe(c, 'x/1', 1)).toEqual([1]);
  });

  it('queuedMessageCount and discardQueuedMessages see and free the QoS 1 queue of an away session; messageCounter numbers messages', async () => {
    const first = await connected('away', false);
    await subscribe(first.mqtt, 'q/1', 1);
    const gone = nextClient('clientDisconnect');
    await first.mqtt.endAsync();
    await gone;
    const counters: number[] = [];
    broker.authorizeForward = (_client, packet) => {
      counters.push(messageCounter(packet));
      return packet;
    };
    for (const n of [1, 2, 3])
      await new Promise<void>((resolve) =>
        broker.publish(
          { cmd: 'publish', topic: 'q/1', payload: Buffer.from(String(n)), qos: 1, retain: false, dup: false },
          () => resolve(),
        ),
      );
    expect(await queuedMessageCount(broker, 'away')).toBe(3);
    expect(await discardQueuedMessages(broker, 'away')).toBe(3);
    expect(await queuedMessageCount(broker, 'away')).toBe(0);
    // The rejoin gets none of them; live messages are numbered one by one.
    const again = await connected('away', false);
    const got: string[] = [];
    again.mqtt.on('message', (_topic, payload) => got.push(payload.toString()));
    for (const n of [4, 5])
      await new Promise<void>((resolve) =>
        broker.publish(
          { cmd: 'publish', topic: 'q/1', payload: Buffer.from(String(n)), qos: 1, retain: false, dup: false },
          () => resolve(),
        ),
      );
    while (got.length < 2) await new Promise((resolve) => again.mqtt.once('message', resolve));
    expect(got).toEqual(['4', '5']);
    expect(counters.length).toBeGreaterThanOrEqual(2);
    const [a = 0, b = 0] = counters.slice(-2);
    expect(b).toBeGreaterThan(a);
  });

  it('skipEmptyQueueClears: clean clients no longer leave bytes per client id behind; leftovers are still cleared', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const persistence = (
      broker as unknown as { persistence: { outgoingClearMessageId(c: object, p: object): Promise<unknown> } }
    ).persistence;
    const heldAfter = async (ids: number): Promise<number> => {
      gc();
      const before = process.memoryUsage().heapUsed;
      for (let i = 0; i < ids; i += 1)
        await persistence.outgoingClearMessageId({ id: `clean-${i}-${Math.random()}`, clean: true }, { messageId: 1 });
      gc();
      return (process.memoryUsage().heapUsed - before) / ids;
    };
    const unguarded = await heldAfter(20_000);
    skipEmptyQueueClears(broker);
    const guarded = await heldAfter(20_000);
    console.info(`queue entries per clean client id: ${Math.round(unguarded)} B -> ${Math.round(guarded)} B`);
    // Measured here: ~185 B per id unguarded (UUID-length ids ~580 B), ~0 guarded.
    expect(unguarded, `unguarded ${unguarded} B/id`).toBeGreaterThan(100);
    expect(guarded, `guarded ${guarded} B/id`).toBeLessThan(unguarded / 5);

    // A persistent session's leftovers are still cleared when the client comes back clean.
    const first = await connected('leftover', false);
    await subscribe(first.mqtt, 'q/2', 1);
    const gone = nextClient('clientDisconnect');
    await first.mqtt.endAsync();
    await gone;
    await new Promise<void>((resolve) =>
      broker.publish(
        { cmd: 'publish', topic: 'q/2', payload: Buffer.from('x'), qos: 1, retain: false, dup: false },
        () => resolve(),
      ),
    );
    expect(await queuedMessageCount(broker, 'leftover')).toBe(1);
    await connected('leftover', true);
    await vi.waitFor(async () => expect(await queuedMessageCount(broker, 'leftover')).toBe(0));
  });
});
