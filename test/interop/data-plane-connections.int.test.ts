/**
 * The data plane's `DeleteConnection` through AWS's own `@aws-sdk/client-iot-data-plane`, as IoT
 * Core documents it: without `cleanSession=true` a persistent session survives the kick (its
 * subscriptions and the QoS 1 messages queued meanwhile are there on rejoin); with it, the rejoin
 * finds nothing. The last will goes out unless `preventWillMessage=true`. MQTT 3.1.1 and 5 clients
 * with operator-issued certificates (MQTT.js over TLS).
 */
import { DeleteConnectionCommand, IoTDataPlaneClient } from '@aws-sdk/client-iot-data-plane';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { closed, startEmulatorUnderTest, type EmulatorUnderTest } from '../helpers/emulator-under-test.js';

let env: EmulatorUnderTest | undefined;
const clients: MqttClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.endAsync(true)));
  await env?.close();
  env = undefined;
});

const TOOLS = 'webcomm/local/tools';

/** A certificate client the operator registered with publish rights on the tools channel. */
async function registerTool(e: EmulatorUnderTest): Promise<IClientOptions & { clientId: string }> {
  const response = await fetch(`${e.emulator.endpoints.http}/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${e.emulator.adminToken}` },
    body: JSON.stringify({ type: 'OPENSSL', publish: ['tools'] }),
  });
  expect(response.status).toBe(200);
  const r = (await response.json()) as {
    clientId: string;
    certificatePem: string;
    privateKeyPem: string;
    caPem: string;
  };
  return { clientId: r.clientId, cert: r.certificatePem, key: r.privateKeyPem, ca: r.caPem };
}

/** A connected client, its CONNACK's session flag, and every message it got from the first byte on. */
async function join(
  e: EmulatorUnderTest,
  options: IClientOptions,
): Promise<{ client: MqttClient; sessionPresent: boolean; messages: string[] }> {
  const messages: string[] = [];
  const client = mqtt.connect(e.emulator.endpoints.mqtts, { reconnectPeriod: 0, connectTimeout: 5_000, ...options });
  clients.push(client);
  client.on('message', (_topic, payload) => messages.push(payload.toString()));
  const sessionPresent = await new Promise<boolean>((resolve, reject) => {
    client.once('connect', (connack) => resolve(connack.sessionPresent));
    client.once('error', reject);
  });
  return { client, sessionPresent, messages };
}

function dataPlane(e: EmulatorUnderTest): IoTDataPlaneClient {
  return new IoTDataPlaneClient({
    endpoint: e.emulator.endpoints.iotData,
    region: e.emulator.region,
    credentials: e.emulator.backendCredentials,
    maxAttempts: 1,
  });
}

/** Resolves once `messages` holds `count` entries. */
async function received(client: MqttClient, messages: string[], count: number): Promise<string[]> {
  while (messages.length < count) await new Promise((resolve) => client.once('message', resolve));
  return messages;
}

for (const protocolVersion of [4, 5] as const) {
  const persistent: IClientOptions = {
    protocolVersion,
    clean: false,
    ...(protocolVersion === 5 ? { properties: { sessionExpiryInterval: 3600 } } : {}),
  };

  describe(`DeleteConnection (MQTT ${protocolVersion === 5 ? '5' : '3.1.1'})`, () => {
    for (const cleanSession of [false, true]) {
      it(`cleanSession=${cleanSession}: the rejoin ${cleanSession ? 'finds no session and no queued message' : 'finds its session and the QoS 1 message queued meanwhile'}`, async () => {
        env = await startEmulatorUnderTest();
        const tool = await registerTool(env);
        const first = await join(env, { ...tool, ...persistent });
        await first.client.subscribeAsync(TOOLS, { qos: 1 });
        const gone = closed(first.client);
        const sdk = dataPlane(env);
        const answer = await sdk.send(new DeleteConnectionCommand({ clientId: tool.clientId, cleanSession }));
        expect(answer.$metadata.httpStatusCode).toBe(200);
        await gone;
        await env.emulator.broker.publish(TOOLS, Buffer.from('queued while away'), { qos: 1 });

        const again = await join(env, { ...tool, ...persistent });
        expect(again.sessionPresent).toBe(!cleanSession);
        // Subscribe afresh either way, then a marker: whatever was queued arrives before it.
        await again.client.subscribeAsync(TOOLS, { qos: 1 });
        await env.emulator.broker.publish(TOOLS, Buffer.from('marker'), { qos: 1 });
        const expected = cleanSession ? ['marker'] : ['queued while away', 'marker'];
        expect(await received(again.client, again.messages, expected.length)).toEqual(expected);
        sdk.destroy();
      });
    }

    it('the last will goes out on a kick, unless preventWillMessage=true', async () => {
      env = await startEmulatorUnderTest();
      const watcher = await registerTool(env);
      const tool = await registerTool(env);
      const observer = await join(env, { ...watcher, protocolVersion });
      await observer.client.subscribeAsync(TOOLS, { qos: 0 });
      const sdk = dataPlane(env);

      const silent = await join(env, {
        ...tool,
        protocolVersion,
        will: { topic: TOOLS, payload: Buffer.from('will 1'), qos: 0, retain: false },
      });
      let gone = closed(silent.client);
      await sdk.send(new DeleteConnectionCommand({ clientId: tool.clientId, preventWillMessage: true }));
      await gone;

      const loud = await join(env, {
        ...tool,
        protocolVersion,
        will: { topic: TOOLS, payload: Buffer.from('will 2'), qos: 0, retain: false },
      });
      gone = closed(loud.client);
      await sdk.send(new DeleteConnectionCommand({ clientId: tool.clientId }));
      await gone;
      expect(await received(observer.client, observer.messages, 1)).toEqual(['will 2']);
      sdk.destroy();
    });
  });
}
