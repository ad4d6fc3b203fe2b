/**
 * Shared subscriptions as IoT Core offers them: `$share/{group}/{filter}` delivers each message to
 * one member of the group (round robin here), over MQTT 5 and 3.1.1; a plain subscriber still gets
 * every message; the policy is checked against the filter; leaving the group stops delivery.
 */
import type { IClientOptions, MqttClient } from 'mqtt';
import mqtt from 'mqtt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EmulatorFixture } from '../../testing/emulator-fixture.js';
import { startFixture } from '../../testing/emulator-fixture.js';

const POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Action: 'iot:Connect', Resource: 'arn:aws:iot:*:*:client/${iot:ClientId}' },
    { Effect: 'Allow', Action: 'iot:Subscribe', Resource: 'arn:aws:iot:*:*:topicfilter/tools/*' },
    { Effect: 'Allow', Action: 'iot:Receive', Resource: 'arn:aws:iot:*:*:topic/tools/*' },
  ],
});

let fixture: EmulatorFixture;
const clients: MqttClient[] = [];

beforeEach(async () => {
  fixture = await startFixture({
    authorizers: {
      tools: {
        handler: async () => ({
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

/** A connected client and the payloads it receives, from the start. */
async function member(clientId: string, options: IClientOptions = {}): Promise<{ client: MqttClient; got: string[] }> {
  const client = await mqtt.connectAsync(fixture.emulator.endpoints.mqtt, {
    clientId,
    username: 'u?x-amz-customauthorizer-name=tools&token=t',
    protocolVersion: 5,
    reconnectPeriod: 0,
    ...options,
  });
  clients.push(client);
  const got: string[] = [];
  client.on('message', (_topic, payload) => got.push(payload.toString()));
  return { client, got };
}

/** Publishes `count` numbered QoS 1 messages on tools/a, then waits until `watcher` has all of them. */
async function publishAll(count: number, watcher: { client: MqttClient; got: string[] }, from = 0): Promise<void> {
  for (let i = from; i < from + count; i += 1)
    await fixture.emulator.broker.publish('tools/a', Buffer.from(String(i)), { qos: 1 });
  while (watcher.got.length < from + count) await new Promise((resolve) => watcher.client.once('message', resolve));
}

describe('shared subscriptions', () => {
  it('each message reaches one member of the group (MQTT 5 and 3.1.1 members); a plain subscriber gets all', async () => {
    const a = await member('a');
    const b = await member('b', { protocolVersion: 4 });
    const plain = await member('plain');
    expect((await a.client.subscribeAsync('$share/workers/tools/+', { qos: 1 })).map((g) => g.qos)).toEqual([1]);
    expect((await b.client.subscribeAsync('$share/workers/tools/+', { qos: 1 })).map((g) => g.qos)).toEqual([1]);
    await plain.client.subscribeAsync('tools/+', { qos: 1 });
    await publishAll(6, plain);
    // Between them the members get the six messages; a duplicate would leave one missing.
    while (a.got.length + b.got.length < 6)
      await new Promise((resolve) => [a, b].forEach((m) => m.client.once('message', resolve)));
    const shared = [...a.got, ...b.got].map(Number).sort((x, y) => x - y);
    expect(shared).toEqual([0, 1, 2, 3, 4, 5]);
    expect(a.got.length).toBe(3);
    expect(b.got.length).toBe(3);
  });

  it('authorizes $share/{group}/{filter} against the filter: outside the policy is SUBACK 0x87', async () => {
    const a = await member('a');
    const granted = await a.client
      .subscribeAsync({ '$share/workers/secret/+': { qos: 1 }, '$share/workers/tools/x': { qos: 1 } })
      .then(
        (grants) => grants.map((g) => g.qos),
        (error: { packet?: { granted?: number[] } }) => error.packet?.granted,
      );
    expect(granted).toEqual([0x87, 1]);
    expect(fixture.refusals).toEqual([
      expect.objectContaining({ action: 'subscribe', reason: 'policy-denied', topic: 'secret/+', linkKept: true }),
    ]);
  });

  it('a member that unsubscribes leaves the group; the others get everything', async () => {
    const a = await member('a');
    const b = await member('b');
    await a.client.subscribeAsync('$share/workers/tools/+', { qos: 1 });
    await b.client.subscribeAsync('$share/workers/tools/+', { qos: 1 });
    await b.client.unsubscribeAsync('$share/workers/tools/+');
    await publishAll(4, a);
    expect(a.got).toEqual(['0', '1', '2', '3']);
    expect(b.got).toEqual([]);
  });
});
