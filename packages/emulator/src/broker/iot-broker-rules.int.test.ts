import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import mqtt from 'mqtt';
import type { EmulatorFixture } from '../../testing/emulator-fixture.js';
import { startFixture } from '../../testing/emulator-fixture.js';
import { closed, connect, connectRefused, end, nextMessage, subscribe } from '../../testing/mqtt-helpers.js';
import { MemoryUsers } from '../../testing/memory-service.js';
import { certificateLogin } from '../../testing/certificate-login.js';

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

async function refused(clientId: string): Promise<{ code: number | undefined }> {
  const login = await certificateLogin(fixture.emulator, clientId);
  return connectRefused(login.url, login.options);
}

/** A client that watches every presence event. */
async function presenceWatcher(): Promise<{ next(topicPart: string): Promise<Record<string, unknown>> }> {
  const watcher = await client('watcher');
  await subscribe(watcher, '$aws/events/presence/+/+');
  return {
    next: async (topicPart) => JSON.parse((await nextMessage(watcher, (topic) => topic.includes(topicPart))).payload.toString()) as Record<string, unknown>,
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
  fixture = await startFixture({ users, presenceInDefaultPolicy: true });
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
  await fixture.close();
});

describe('default policy (receive-only on the client\'s channels)', () => {
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
    expect(await event).toMatchObject({ clientId: 'alice', disconnectReason: 'FORBIDDEN_ACCESS', clientInitiatedDisconnect: false });
    expect(fixture.logs.some((line) => line.includes('iot:Subscribe on "game/private/bob" not allowed'))).toBe(true);
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
    expect(await event).toMatchObject({ clientId: 'mallory', eventType: 'connect_failed', connectFailureReason: 'AUTHORIZATION_FAILED' });
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
  it('grants QoS 1 for a QoS 2 SUBSCRIBE and disconnects a QoS 2 PUBLISH', async () => {
    const alice = await client('alice');
    expect(await subscribe(alice, 'game/broadcast', 2)).toEqual([1]);
    alice.publish('game/broadcast', 'x', { qos: 2 });
    await closed(alice);
    expect(fixture.logs.some((line) => line.includes('QoS 2 is not supported'))).toBe(true);
  });
});

describe('IoT Core limits', () => {
  it('disconnects a payload over 128 KB with CLIENT_ERROR', async () => {
    const presence = await presenceWatcher();
    const alice = await client('alice');
    const event = presence.next('disconnected/alice');
    alice.publish('game/broadcast', Buffer.alloc(128 * 1024 + 1));
    await closed(alice);
    expect(await event).toMatchObject({ disconnectReason: 'CLIENT_ERROR' });
    expect(fixture.logs.some((line) => line.includes('payload of 131073 bytes over 131072'))).toBe(true);
  });

  it('disconnects a SUBSCRIBE with more than 8 filters', async () => {
    const presence = await presenceWatcher();
    const alice = await client('alice');
    const event = presence.next('disconnected/alice');
    alice.subscribe(Array.from({ length: 9 }, () => 'game/broadcast').map((t, i) => (i === 0 ? t : `game/private/alice/${i}`)));
    await closed(alice);
    expect(await event).toMatchObject({ disconnectReason: 'CLIENT_ERROR' });
    expect(fixture.logs.some((line) => line.includes('more than 8 filters'))).toBe(true);
  });

  it('disconnects the 51st subscription of a connection', async () => {
    const alice = await client('alice');
    for (let batch = 0; batch < 50; batch += 10) {
      await subscribe(alice, Array.from({ length: 8 }, (_, i) => `game/news/${batch + i}`));
      await subscribe(alice, [`game/news/${batch + 8}`, `game/news/${batch + 9}`]);
    }
    expect(fixture.emulator.broker.connectedClients()).toContain('alice');
    alice.subscribe('game/news/50');
    await closed(alice);
    expect(fixture.logs.some((line) => line.includes('more than 50 subscriptions'))).toBe(true);
  });

  it('disconnects a topic with more than 7 slashes or over 256 bytes', async () => {
    const alice = await client('alice');
    alice.subscribe('game/private/alice/1/2/3/4/5/6');
    await closed(alice);
    expect(fixture.logs.some((line) => line.includes('more than 7 slashes'))).toBe(true);
    const bob = await client('bob');
    bob.subscribe(`game/private/${'b'.repeat(250)}`);
    await closed(bob);
    expect(fixture.logs.some((line) => line.includes('longer than 256 bytes'))).toBe(true);
  });

  it('clamps keepalive to 30-1200 s (0 and >1200 become 1200)', async () => {
    await client('k5', { keepalive: 5 });
    await client('k0', { keepalive: 0 });
    await client('k3000', { keepalive: 3000 });
    await client('k60', { keepalive: 60 });
    const byId = new Map(fixture.emulator.broker.connections().map((c) => [c.clientId, c.keepalive]));
    expect(Object.fromEntries(['k5', 'k0', 'k3000', 'k60'].map((id) => [id, byId.get(id)]))).toEqual({ k5: 30, k0: 1200, k3000: 1200, k60: 60 });
  });

  it('refuses a client id starting with $ (CONNACK 5)', async () => {
    expect((await refused('$bad')).code).toBe(5);
    expect(fixture.logs.some((line) => line.includes('client id starts with $'))).toBe(true);
  });
});

describe('presence events', () => {
  it('publishes connected and disconnected with IoT Core\'s fields', async () => {
    const presence = await presenceWatcher();
    const connected = presence.next('connected/alice');
    const login = await certificateLogin(fixture.emulator, 'alice');
    const alice = await connect(login.url, login.options);
    clients.push(alice);
    const c = await connected;
    // A certificate's principal is its serial number (IoT Core: the certificate id).
    const principalIdentifier = login.certificate.serialNumber.toLowerCase();
    expect(Object.keys(c).sort()).toEqual(['clientId', 'eventType', 'ipAddress', 'principalIdentifier', 'sessionIdentifier', 'timestamp', 'versionNumber']);
    expect(c).toMatchObject({ clientId: 'alice', eventType: 'connected', principalIdentifier });
    expect(typeof c.timestamp).toBe('number');
    expect(c.ipAddress).toMatch(/127\.0\.0\.1/);
    const disconnected = presence.next('disconnected/alice');
    await end(alice);
    const d = await disconnected;
    expect(Object.keys(d).sort()).toEqual(['clientId', 'clientInitiatedDisconnect', 'disconnectReason', 'eventType', 'principalIdentifier', 'sessionIdentifier', 'timestamp', 'versionNumber']);
    expect(d).toMatchObject({
      clientId: 'alice', eventType: 'disconnected', clientInitiatedDisconnect: true, disconnectReason: 'CLIENT_INITIATED_DISCONNECT',
      sessionIdentifier: c.sessionIdentifier, versionNumber: c.versionNumber, principalIdentifier,
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
