/**
 * What IoT Core's MQTT 5 CONNACK says, and that the emulator keeps to it: Server Keep Alive when
 * the keepalive was changed, the adjusted Session Expiry Interval, Maximum QoS 1, Topic Alias
 * Maximum 8 (and the client's aliases work), Subscription Identifiers Available 0 (a SUBSCRIBE
 * with one is refused with DISCONNECT 0xA1), the Maximum Packet Size the emulator enforces; and
 * nothing larger than the client's own Maximum Packet Size is sent to it.
 */
import type { IClientOptions, IConnackPacket, MqttClient } from 'mqtt';
import mqtt from 'mqtt';
import mqttPacket from 'mqtt-packet';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuthorizerEvent } from '../auth/custom-authorizer.js';
import type { EmulatorFixture } from '../../testing/emulator-fixture.js';
import { startFixture } from '../../testing/emulator-fixture.js';
import { nextMessage } from '../../testing/mqtt-helpers.js';

const POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Action: 'iot:Connect', Resource: 'arn:aws:iot:*:*:client/${iot:ClientId}' },
    { Effect: 'Allow', Action: 'iot:Subscribe', Resource: 'arn:aws:iot:*:*:topicfilter/tools/*' },
    { Effect: 'Allow', Action: ['iot:Publish', 'iot:Receive'], Resource: 'arn:aws:iot:*:*:topic/tools/*' },
  ],
});

let fixture: EmulatorFixture;
const clients: MqttClient[] = [];

beforeEach(async () => {
  fixture = await startFixture({
    authorizers: {
      tools: {
        handler: async (_event: AuthorizerEvent) => ({
          isAuthenticated: true,
          principalId: 'tools',
          policyDocuments: [POLICY],
          disconnectAfterInSeconds: 3600,
          refreshAfterInSeconds: 300,
        }),
      },
    },
  });
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
  await fixture.close();
});

/** An MQTT 5 client through the authorizer; resolves with it and its CONNACK. */
async function join(
  clientId: string,
  options: IClientOptions = {},
): Promise<{ client: MqttClient; connack: IConnackPacket }> {
  const client = mqtt.connect(fixture.emulator.endpoints.mqtt, {
    clientId,
    username: 'u?x-amz-customauthorizer-name=tools&token=t',
    protocolVersion: 5,
    reconnectPeriod: 0,
    ...options,
  });
  clients.push(client);
  const connack = await new Promise<IConnackPacket>((resolve, reject) => {
    client.once('connect', resolve);
    client.once('error', reject);
  });
  return { client, connack };
}

/** The reason code of the server's DISCONNECT, or `'closed'` when it just closed. */
function serverEnd(c: MqttClient): Promise<number | 'closed'> {
  return new Promise((resolve) => {
    c.once('disconnect', (packet) => resolve(packet.reasonCode ?? 0));
    c.once('close', () => resolve('closed'));
  });
}

describe('the MQTT 5 CONNACK', () => {
  it("says what IoT Core's says: keepalive 0 -> Server Keep Alive 1200, session expiry 0xFFFFFFFF -> 3600", async () => {
    const { connack } = await join('a', {
      keepalive: 0,
      clean: false,
      properties: { sessionExpiryInterval: 0xffffffff },
    });
    expect(connack.reasonCode).toBe(0);
    expect(connack.properties).toEqual({
      serverKeepAlive: 1200,
      sessionExpiryInterval: 3600,
      maximumQoS: 1,
      subscriptionIdentifiersAvailable: false,
      sharedSubscriptionAvailable: true,
      topicAliasMaximum: 8,
      maximumPacketSize: 1 + 3 + 147_456,
    });
  });

  it.each([
    [10, 30],
    [1201, 1200],
    [60, undefined],
  ])('keepalive %i -> Server Keep Alive %s (sent only when changed)', async (requested, adjusted) => {
    const { connack } = await join(`k${requested}`, { keepalive: requested });
    expect(connack.properties?.serverKeepAlive).toBe(adjusted);
    expect(connack.properties?.sessionExpiryInterval).toBeUndefined();
  });

  it("honours the client's topic aliases (up to 8); alias 9 ends the link with 0x94", async () => {
    const { client: listener } = await join('listener');
    await listener.subscribeAsync('tools/+', { qos: 1 });
    const { client: sender } = await join('sender');
    const got: string[] = [];
    listener.on('message', (topic, payload) => got.push(`${topic} ${payload.toString()}`));
    await sender.publishAsync('tools/a', 'with topic', { qos: 1, properties: { topicAlias: 8 } });
    await sender.publishAsync('', 'alias only', { qos: 1, properties: { topicAlias: 8 } });
    while (got.length < 2) await nextMessage(listener);
    expect(got).toEqual(['tools/a with topic', 'tools/a alias only']);
    // MQTT.js itself refuses an alias over the CONNACK's maximum: write the PUBLISH as raw bytes.
    const ended = serverEnd(sender);
    sender.stream.write(
      mqttPacket.generate(
        {
          cmd: 'publish',
          topic: 'tools/b',
          payload: 'too far',
          qos: 0,
          dup: false,
          retain: false,
          properties: { topicAlias: 9 },
        },
        { protocolVersion: 5 },
      ),
    );
    expect(await ended).toBe(0x94);
  });

  it('refuses a SUBSCRIBE with a subscription identifier: DISCONNECT 0xA1', async () => {
    const { client } = await join('si');
    const ended = serverEnd(client);
    client.subscribe('tools/a', { qos: 1, properties: { subscriptionIdentifier: 7 } });
    expect(await ended).toBe(0xa1);
    expect(fixture.refusals).toEqual([
      expect.objectContaining({ action: 'subscribe', reason: 'subscription-identifier', linkKept: false }),
    ]);
  });
});

describe("the client's Maximum Packet Size", () => {
  it('a message larger than the client allows is not sent to it; the link stays and smaller ones arrive', async () => {
    const { client } = await join('small', { properties: { maximumPacketSize: 1024 } });
    await client.subscribeAsync('tools/+', { qos: 1 });
    const got: number[] = [];
    client.on('message', (_topic, payload) => got.push(payload.length));
    await fixture.emulator.broker.publish('tools/big', Buffer.alloc(4_000, 1), { qos: 1 });
    // Exactly 1,024 bytes: fixed header 1 + length 2 + topic 2 + 10 + packet id 2 + properties 1 + payload.
    await fixture.emulator.broker.publish('tools/edge', Buffer.alloc(1024 - 18, 1), { qos: 1 });
    await fixture.emulator.broker.publish('tools/small', Buffer.alloc(100, 1), { qos: 1 });
    while (got.length < 2) await nextMessage(client);
    expect(got).toEqual([1006, 100]);
    expect(client.connected).toBe(true);
  });
});
