import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import mqtt from 'mqtt';
import type { EmulatorFixture } from '../../testing/emulator-fixture.js';
import { startFixture } from '../../testing/emulator-fixture.js';
import { closed, connect, connectRefused, end, nextMessage, subscribe } from '../../testing/mqtt-helpers.js';
import { MemoryUsers } from '../../testing/memory-service.js';
import { certificateLogin } from '../../testing/certificate-login.js';
import type { AuthorizerResponse } from '../auth/custom-authorizer.js';
import type { Refusal } from '../refusal-events.js';

let fixture: EmulatorFixture;
let users: MemoryUsers;
const clients: MqttClient[] = [];

/** A client with the default policy: authenticated by a certificate from the emulator's CA. */
async function client(clientId: string, options: Parameters<typeof connect>[1] = {}): Promise<MqttClient> {
  const login = await certificateLogin(fixture.emulator, clientId);
  const c = await connect(login.url, { ...login.options, ...options });
  clients.push(c);
  return c;
}

/** A client whose custom-authorizer policy allows everything: only IoT Core's limits stop it. */
async function publisher(clientId: string): Promise<MqttClient> {
  const c = await connect(fixture.emulator.endpoints.mqtt, {
    clientId,
    username: '?x-amz-customauthorizer-name=open&token=t',
  });
  clients.push(c);
  return c;
}

const OPEN_AUTHORIZER = {
  open: {
    handler: async (): Promise<AuthorizerResponse> => ({
      isAuthenticated: true,
      principalId: 'publisher',
      disconnectAfterInSeconds: 3600,
      refreshAfterInSeconds: 3600,
      policyDocuments: [
        JSON.stringify({
          Statement: [
            { Effect: 'Allow', Action: ['iot:Connect', 'iot:Publish', 'iot:Subscribe', 'iot:Receive'], Resource: '*' },
          ],
        }),
      ],
    }),
  },
};

/** The refusals of one client, as `action reason` pairs. */
function refusalsOf(clientId: string): string[] {
  return fixture.refusals.filter((r: Refusal) => r.clientId === clientId).map((r) => `${r.action} ${r.reason}`);
}

/**
 * The next message `c` receives on `topic`, proving what did not arrive before it: `publishLater`
 * publishes a marker after whatever was refused, and the broker delivers to one client in order.
 */
async function nextAfter(c: MqttClient, topic: string, publishLater: () => Promise<void>): Promise<string> {
  const next = nextMessage(c, (t) => t === topic);
  await publishLater();
  return (await next).payload.toString();
}

async function refused(clientId: string): Promise<{ code: number | undefined }> {
  const login = await certificateLogin(fixture.emulator, clientId);
  return connectRefused(login.url, login.options);
}

/** A client that watches every presence event. */
async function presenceWatcher(): Promise<{ next(topicPart: string): Promise<Record<string, unknown>> }> {
  const watcher = await client('watcher');
  await subscribe(watcher, '$aws/events/presence/+/+');
  return {
    next: async (topicPart) =>
      JSON.parse((await nextMessage(watcher, (topic) => topic.includes(topicPart))).payload.toString()) as Record<
        string,
        unknown
      >,
  };
}

/** Sends a raw PINGREQ on the client's socket and resolves on the PINGRESP. */
function pingRoundTrip(c: MqttClient): Promise<void> {
  return new Promise((resolve) => {
    const onPacket = (packet: { cmd: string }): void => {
      if (packet.cmd !== 'pingresp') return;
      c.off('packetreceive', onPacket);
      resolve();
    };
    c.on('packetreceive', onPacket);
    c.stream.write(Buffer.from([0xc0, 0x00]));
  });
}

beforeEach(async () => {
  users = new MemoryUsers();
  fixture = await startFixture({ users, presenceInDefaultPolicy: true, authorizers: OPEN_AUTHORIZER });
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
  await fixture.close();
});

describe("default policy (receive-only on the client's channels)", () => {
  it('lets a client subscribe to its channels and receive service publishes', async () => {
    const alice = await client('alice');
    expect(await subscribe(alice, ['game/broadcast', 'game/private/alice'], 1)).toEqual([1, 1]);
    const received = nextMessage(alice);
    await fixture.emulator.broker.publish('game/private/alice', Buffer.from('hi'), { qos: 1 });
    expect((await received).payload.toString()).toBe('hi');
  });

  it('disconnects on a forbidden SUBSCRIBE with presence reason FORBIDDEN_ACCESS', async () => {
    const presence = await presenceWatcher();
    const alice = await client('alice');
    const event = presence.next('disconnected/alice');
    alice.subscribe('game/private/bob');
    await closed(alice);
    expect(await event).toMatchObject({
      clientId: 'alice',
      disconnectReason: 'FORBIDDEN_ACCESS',
      clientInitiatedDisconnect: false,
    });
    expect(fixture.refusals).toContainEqual(
      expect.objectContaining({
        action: 'subscribe',
        reason: 'policy-denied',
        clientId: 'alice',
        topic: 'game/private/bob',
        linkKept: false,
        transport: 'tls',
      }),
    );
  });

  it('disconnects on any client PUBLISH (receive-only) and on $aws topics', async () => {
    const presence = await presenceWatcher();
    const alice = await client('alice');
    let event = presence.next('disconnected/alice');
    alice.publish('game/broadcast', 'x');
    await closed(alice);
    expect(await event).toMatchObject({ disconnectReason: 'FORBIDDEN_ACCESS' });

    const bob = await client('bob');
    event = presence.next('disconnected/bob');
    bob.publish('$aws/events/presence/connected/bob', '{}');
    await closed(bob);
    expect(await event).toMatchObject({ disconnectReason: 'FORBIDDEN_ACCESS' });
  });

  it('refuses a banned client with CONNACK 5 and drops it when banned while connected', async () => {
    await users.setStatus('mallory', 'banned');
    expect((await refused('mallory')).code).toBe(5);
    const eve = await client('eve');
    await users.setStatus('eve', 'banned');
    expect(fixture.emulator.broker.disconnectPrincipal('eve', 'SERVER_INITIATED_DISCONNECT')).toBe(1);
    await closed(eve);
    expect(fixture.emulator.broker.connectedClients()).not.toContain('eve');
  });
});

describe('bans and failed connects', () => {
  it('publishes connect_failed with AUTHORIZATION_FAILED for a refused client', async () => {
    const presence = await presenceWatcher();
    await users.setStatus('mallory', 'banned');
    const event = presence.next('connect_failed/mallory');
    await refused('mallory');
    expect(await event).toMatchObject({
      clientId: 'mallory',
      eventType: 'connect_failed',
      connectFailureReason: 'AUTHORIZATION_FAILED',
    });
  });

  it('checks the ban on every SUBSCRIBE: a client banned while connected is dropped with AUTH_ERROR', async () => {
    const presence = await presenceWatcher();
    const eve = await client('eve');
    await users.setStatus('eve', 'banned');
    const event = presence.next('disconnected/eve');
    eve.subscribe('game/broadcast');
    await closed(eve);
    expect(await event).toMatchObject({ disconnectReason: 'AUTH_ERROR' });
  });

  it('stops forwarding to a banned client', async () => {
    const eve = await client('eve');
    await subscribe(eve, 'game/broadcast');
    const before = nextMessage(eve);
    await fixture.emulator.broker.publish('game/broadcast', Buffer.from('before'));
    expect((await before).payload.toString()).toBe('before');

    await users.setStatus('eve', 'banned');
    const received: string[] = [];
    eve.on('message', (_t, payload) => received.push(payload.toString()));
    await fixture.emulator.broker.publish('game/broadcast', Buffer.from('news'));
    // A barrier on eve's own connection: the broker answers this PINGREQ after it handled the
    // publish above, so a forwarded PUBLISH would reach eve before the PINGRESP does.
    await pingRoundTrip(eve);
    expect(received).toEqual([]);
    expect(eve.connected).toBe(true);
  });
});

describe('QoS', () => {
  it('grants QoS 1 for a QoS 2 SUBSCRIBE; delivers a QoS 1 PUBLISH and drops the link on a QoS 2 one, which reaches no one', async () => {
    const watcher = await client('watcher');
    expect(await subscribe(watcher, 'game/news/qos', 2)).toEqual([1]);
    const pub = await publisher('pub');
    expect(
      await nextAfter(watcher, 'game/news/qos', () =>
        pub.publishAsync('game/news/qos', 'qos 1', { qos: 1 }).then(() => undefined),
      ),
    ).toBe('qos 1');
    const gone = closed(pub);
    pub.publish('game/news/qos', 'qos 2', { qos: 2 });
    await gone;
    expect(
      await nextAfter(watcher, 'game/news/qos', () =>
        fixture.emulator.broker.publish('game/news/qos', Buffer.from('after')),
      ),
    ).toBe('after');
    expect(refusalsOf('pub')).toEqual(['publish qos2-unsupported']);
  });
});

describe('IoT Core limits (each at the limit and one over)', () => {
  it('delivers a 131072-byte payload; drops the link on 131073 bytes (CLIENT_ERROR) and delivers nothing', async () => {
    const presence = await presenceWatcher();
    const watcher = await client('watcher-big');
    await subscribe(watcher, 'game/news/big', 1);
    const pub = await publisher('pub');
    const atLimit = nextMessage(watcher, (t) => t === 'game/news/big');
    await pub.publishAsync('game/news/big', Buffer.alloc(131_072, 1), { qos: 1 });
    expect((await atLimit).payload.length).toBe(131_072);
    const event = presence.next('disconnected/pub');
    const gone = closed(pub);
    pub.publish('game/news/big', Buffer.alloc(131_073, 2), { qos: 1 });
    await gone;
    expect(await event).toMatchObject({ disconnectReason: 'CLIENT_ERROR' });
    expect(
      await nextAfter(watcher, 'game/news/big', () =>
        fixture.emulator.broker.publish('game/news/big', Buffer.from('after')),
      ),
    ).toBe('after');
    expect(refusalsOf('pub')).toEqual(['publish payload-too-large']);
  });

  it('grants a SUBSCRIBE with 8 filters; drops the link on one with 9 (CLIENT_ERROR)', async () => {
    const presence = await presenceWatcher();
    const alice = await client('alice');
    const filters = (n: number, batch: string): string[] =>
      Array.from({ length: n }, (_, i) => `game/news/${batch}/${i}`);
    expect(await subscribe(alice, filters(8, 'a'), 1)).toEqual(Array.from({ length: 8 }, () => 1));
    const event = presence.next('disconnected/alice');
    const gone = closed(alice);
    alice.subscribe(filters(9, 'b'));
    await gone;
    expect(await event).toMatchObject({ disconnectReason: 'CLIENT_ERROR' });
    expect(refusalsOf('alice')).toContain('subscribe too-many-filters');
    expect(refusalsOf('alice').every((r) => r === 'subscribe too-many-filters')).toBe(true);
  });

  it('holds 50 subscriptions on a connection (and re-subscribes one of them); drops the link on the 51st', async () => {
    const alice = await client('alice');
    for (let batch = 0; batch < 50; batch += 10) {
      await subscribe(
        alice,
        Array.from({ length: 8 }, (_, i) => `game/news/${batch + i}`),
      );
      await subscribe(alice, [`game/news/${batch + 8}`, `game/news/${batch + 9}`]);
    }
    // A filter it already holds is not a new subscription.
    expect(await subscribe(alice, 'game/news/0', 1)).toEqual([1]);
    expect(
      await nextAfter(alice, 'game/news/49', () =>
        fixture.emulator.broker.publish('game/news/49', Buffer.from('fiftieth')),
      ),
    ).toBe('fiftieth');
    const gone = closed(alice);
    alice.subscribe('game/news/50');
    await gone;
    expect(refusalsOf('alice')).toEqual(['subscribe too-many-subscriptions']);
  });

  it('grants a filter with 7 slashes; drops the link on 8', async () => {
    const alice = await client('alice');
    expect(await subscribe(alice, 'game/news/3/4/5/6/7/8', 1)).toEqual([1]);
    expect(
      await nextAfter(alice, 'game/news/3/4/5/6/7/8', () =>
        fixture.emulator.broker.publish('game/news/3/4/5/6/7/8', Buffer.from('deep')),
      ),
    ).toBe('deep');
    const gone = closed(alice);
    alice.subscribe('game/news/3/4/5/6/7/8/9');
    await gone;
    expect(refusalsOf('alice')).toEqual(['subscribe topic-too-deep']);
  });

  it('grants a 256-byte filter; drops the link on 257 bytes', async () => {
    const alice = await client('alice');
    const topic = (bytes: number): string => `game/news/${'x'.repeat(bytes - 'game/news/'.length)}`;
    expect(Buffer.byteLength(topic(256))).toBe(256);
    expect(await subscribe(alice, topic(256), 1)).toEqual([1]);
    const gone = closed(alice);
    alice.subscribe(topic(257));
    await gone;
    expect(refusalsOf('alice')).toEqual(['subscribe topic-too-long']);
  });

  it('applies the topic limits to PUBLISH: 7 slashes and 256 bytes delivered, 8 and 257 drop the link', async () => {
    const watcher = await client('watcher');
    await subscribe(watcher, 'game/news/#', 1);
    const deep = 'game/news/3/4/5/6/7/8';
    const long = `game/news/${'y'.repeat(246)}`;
    const pub = await publisher('pub');
    for (const topic of [deep, long]) {
      expect(
        await nextAfter(watcher, topic, () =>
          pub.publishAsync(topic, topic.length.toString(), { qos: 1 }).then(() => undefined),
        ),
      ).toBe(topic.length.toString());
    }
    for (const [topic, reason] of [
      [`${deep}/9`, 'topic-too-deep'],
      [`${long}y`, 'topic-too-long'],
    ] as const) {
      const over = await publisher(`pub-${reason}`);
      const gone = closed(over);
      over.publish(topic, 'over', { qos: 1 });
      await gone;
      expect(refusalsOf(`pub-${reason}`)).toEqual([`publish ${reason}`]);
    }
    expect(
      await nextAfter(watcher, 'game/news/marker', () =>
        fixture.emulator.broker.publish('game/news/marker', Buffer.from('after')),
      ),
    ).toBe('after');
  });

  it('clamps keepalive to 30-1200 s (0 and >1200 become 1200)', async () => {
    await client('k5', { keepalive: 5 });
    await client('k0', { keepalive: 0 });
    await client('k3000', { keepalive: 3000 });
    await client('k60', { keepalive: 60 });
    const byId = new Map(fixture.emulator.broker.connections().map((c) => [c.clientId, c.keepalive]));
    expect(Object.fromEntries(['k5', 'k0', 'k3000', 'k60'].map((id) => [id, byId.get(id)]))).toEqual({
      k5: 30,
      k0: 1200,
      k3000: 1200,
      k60: 60,
    });
  });

  it('refuses a client id starting with $ (CONNACK 5); a $ further on is a plain character', async () => {
    expect((await refused('$bad')).code).toBe(5);
    expect(fixture.refusals).toEqual([
      expect.objectContaining({
        action: 'connect',
        reason: 'client-id-reserved',
        clientId: '$bad',
        transport: 'tls',
        linkKept: false,
      }),
    ]);
    await client('good$');
    expect(fixture.emulator.broker.connectedClients()).toContain('good$');
  });
});

describe('presence events', () => {
  it("publishes connected and disconnected with IoT Core's fields", async () => {
    const presence = await presenceWatcher();
    const connected = presence.next('connected/alice');
    const login = await certificateLogin(fixture.emulator, 'alice');
    const alice = await connect(login.url, login.options);
    clients.push(alice);
    const c = await connected;
    // A certificate's principal is its serial number (IoT Core: the certificate id).
    const principalIdentifier = login.certificate.serialNumber.toLowerCase();
    expect(Object.keys(c).sort()).toEqual([
      'clientId',
      'eventType',
      'ipAddress',
      'principalIdentifier',
      'sessionIdentifier',
      'timestamp',
      'versionNumber',
    ]);
    expect(c).toMatchObject({ clientId: 'alice', eventType: 'connected', principalIdentifier });
    expect(typeof c.timestamp).toBe('number');
    expect(c.ipAddress).toMatch(/127\.0\.0\.1/);
    const disconnected = presence.next('disconnected/alice');
    await end(alice);
    const d = await disconnected;
    expect(Object.keys(d).sort()).toEqual([
      'clientId',
      'clientInitiatedDisconnect',
      'disconnectReason',
      'eventType',
      'principalIdentifier',
      'sessionIdentifier',
      'timestamp',
      'versionNumber',
    ]);
    expect(d).toMatchObject({
      clientId: 'alice',
      eventType: 'disconnected',
      clientInitiatedDisconnect: true,
      disconnectReason: 'CLIENT_INITIATED_DISCONNECT',
      sessionIdentifier: c.sessionIdentifier,
      versionNumber: c.versionNumber,
      principalIdentifier,
    });
  });

  it('reports CONNECTION_LOST when the socket drops without DISCONNECT', async () => {
    const presence = await presenceWatcher();
    const alice = await client('alice');
    const event = presence.next('disconnected/alice');
    alice.stream.destroy();
    expect(await event).toMatchObject({ disconnectReason: 'CONNECTION_LOST', clientInitiatedDisconnect: false });
  });

  it('a second connection with the same client id kicks the first (DUPLICATE_CLIENTID)', async () => {
    const presence = await presenceWatcher();
    const first = await client('alice');
    const kicked = presence.next('disconnected/alice');
    const second = await client('alice');
    await closed(first);
    const event = await kicked;
    expect(event).toMatchObject({ disconnectReason: 'DUPLICATE_CLIENTID' });
    expect(second.connected).toBe(true);
    expect(fixture.emulator.broker.connectedClients()).toContain('alice');
  });
});

describe('retained messages', () => {
  it('go to exact-topic subscriptions only, not through wildcards (as IoT Core)', async () => {
    await fixture.emulator.broker.publish('game/news/today', Buffer.from('kept'), { qos: 1, retain: true });
    const exact = await client('exact');
    const replay = nextMessage(exact);
    await subscribe(exact, 'game/news/today', 1);
    const got = await replay;
    expect(got.payload.toString()).toBe('kept');
    expect(got.packet.cmd === 'publish' && got.packet.retain).toBe(true);

    const wild = await client('wild');
    const received: string[] = [];
    wild.on('message', (_topic, payload) => received.push(payload.toString()));
    await subscribe(wild, 'game/news/#', 1);
    const live = nextMessage(wild);
    await fixture.emulator.broker.publish('game/news/today', Buffer.from('live'), { qos: 1 });
    await live;
    expect(received).toEqual(['live']);
  });
});

describe('persistent sessions', () => {
  it('keeps QoS 1 messages for an offline clean:false client', async () => {
    const first = await client('alice', { clean: false });
    await subscribe(first, 'game/private/alice', 1);
    await end(first);
    await fixture.emulator.broker.publish('game/private/alice', Buffer.from('missed-1'), { qos: 1 });
    await fixture.emulator.broker.publish('game/private/alice', Buffer.from('missed-2'), { qos: 1 });
    // Listen before CONNACK: the stored messages follow it immediately.
    const login = await certificateLogin(fixture.emulator, 'alice');
    const again = mqtt.connect(login.url, { ...login.options, clean: false, reconnectPeriod: 0 });
    clients.push(again);
    const received: string[] = [];
    await new Promise<void>((resolve) => {
      again.on('message', (_topic, payload) => {
        received.push(payload.toString());
        if (received.length === 2) resolve();
      });
    });
    expect(received).toEqual(['missed-1', 'missed-2']);
  });

  it('a clean:true client gets none of them', async () => {
    const first = await client('alice', { clean: false });
    await subscribe(first, 'game/private/alice', 1);
    await end(first);
    await fixture.emulator.broker.publish('game/private/alice', Buffer.from('missed'), { qos: 1 });
    const again = await client('alice', { clean: true });
    await subscribe(again, 'game/private/alice', 1);
    const next = nextMessage(again);
    await fixture.emulator.broker.publish('game/private/alice', Buffer.from('fresh'), { qos: 1 });
    expect((await next).payload.toString()).toBe('fresh');
  });
});
