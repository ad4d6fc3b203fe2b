/**
 * The emulator speaks MQTT 5 like IoT Core (aedes 2): a refusal by policy is a reason code and the
 * link stays up (SUBACK 0x87, PUBACK 0x87); the older of two links with one client id hears
 * DISCONNECT 0x8E; a kick or ban is DISCONNECT 0x98. MQTT 3.1.1 clients still get IoT Core's
 * closes (iot-broker-rules.int.test.ts).
 */
import type { MqttClient } from 'mqtt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EmulatorFixture } from '../../testing/emulator-fixture.js';
import { startFixture } from '../../testing/emulator-fixture.js';
import { certificateLogin } from '../../testing/certificate-login.js';
import { MemoryUsers } from '../../testing/memory-service.js';
import { closed, connect, nextMessage } from '../../testing/mqtt-helpers.js';

let fixture: EmulatorFixture;
const clients: MqttClient[] = [];

async function client(clientId: string, protocolVersion: 4 | 5 = 5): Promise<MqttClient> {
  const login = await certificateLogin(fixture.emulator, clientId);
  const c = await connect(login.url, { ...login.options, protocolVersion });
  clients.push(c);
  return c;
}

/** The reason code of the next DISCONNECT the server sends, or `'closed'` when it just closes. */
function serverEnd(c: MqttClient): Promise<number | 'closed'> {
  return new Promise((resolve) => {
    c.once('disconnect', (packet) => resolve(packet.reasonCode ?? 0));
    c.once('close', () => resolve('closed'));
  });
}

beforeEach(async () => {
  fixture = await startFixture({ users: new MemoryUsers() });
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
  await fixture.close();
});

describe('MQTT 5 clients (aedes 2)', () => {
  it('a forbidden SUBSCRIBE gets SUBACK 0x87 for that filter; the link stays and the granted filter delivers', async () => {
    const alice = await client('alice');
    const granted = await alice
      .subscribeAsync({ 'game/private/alice': { qos: 1 }, 'game/private/bob': { qos: 1 } })
      .catch((error: { packet?: { granted?: number[] } }) => error.packet?.granted);
    const codes = Array.isArray(granted) ? granted.map((g) => (typeof g === 'number' ? g : g.qos)) : granted;
    expect(codes).toEqual([1, 0x87]);
    const received = nextMessage(alice);
    await fixture.emulator.broker.publish('game/private/alice', Buffer.from('still here'), { qos: 1 });
    expect((await received).payload.toString()).toBe('still here');
    expect(alice.connected).toBe(true);
    expect(fixture.refusals).toEqual([
      expect.objectContaining({
        action: 'subscribe',
        reason: 'policy-denied',
        clientId: 'alice',
        topic: 'game/private/bob',
        linkKept: true,
      }),
    ]);
  });

  it('a forbidden QoS 1 PUBLISH gets PUBACK 0x87; the link stays', async () => {
    const alice = await client('alice');
    const error = await alice.publishAsync('game/broadcast', 'nope', { qos: 1 }).then(
      () => undefined,
      (e: { code?: number }) => e,
    );
    expect(error?.code).toBe(0x87);
    // The link still answers: a SUBSCRIBE it may make is granted.
    expect((await alice.subscribeAsync('game/broadcast', { qos: 1 })).map((g) => g.qos)).toEqual([1]);
    expect(alice.connected).toBe(true);
    expect(fixture.refusals).toEqual([
      expect.objectContaining({
        action: 'publish',
        reason: 'policy-denied',
        clientId: 'alice',
        topic: 'game/broadcast',
        linkKept: true,
      }),
    ]);
  });

  it("a violation of IoT Core's limits (a filter with 8 slashes) ends the link with DISCONNECT 0x82", async () => {
    const alice = await client('alice');
    const ended = serverEnd(alice);
    alice.subscribe('game/private/alice/3/4/5/6/7/8', { qos: 1 });
    expect(await ended).toBe(0x82);
    expect(fixture.refusals).toEqual([
      expect.objectContaining({ action: 'subscribe', reason: 'topic-too-deep', linkKept: false }),
    ]);
  });

  it('a second connection with the client id: the older link hears DISCONNECT 0x8E (session taken over)', async () => {
    const first = await client('alice');
    const ended = serverEnd(first);
    await client('alice');
    expect(await ended).toBe(0x8e);
  });

  it('a kick (DeleteConnection) is DISCONNECT 0x98 (administrative action)', async () => {
    const alice = await client('alice');
    const ended = serverEnd(alice);
    expect(fixture.emulator.broker.disconnectClient('alice')).toBe(true);
    expect(await ended).toBe(0x98);
    await closed(alice);
  });

  it('MQTT 3.1.1 on the same broker: a duplicate id and a kick just close the older link, as IoT Core does', async () => {
    const first = await client('carol', 4);
    const ended = serverEnd(first);
    const second = await client('carol', 4);
    expect(await ended).toBe('closed');
    const kicked = serverEnd(second);
    fixture.emulator.broker.disconnectClient('carol');
    expect(await kicked).toBe('closed');
  });
});
