/**
 * The data plane's `Publish` with MQTT 5 properties, sent with AWS's own
 * `@aws-sdk/client-iot-data-plane` and received by AWS's v2 device SDK (MQTT 5, mutual TLS) and
 * by an MQTT 3.1.1 client: user properties, content type, response topic, correlation data,
 * message expiry and payload format reach the MQTT 5 subscriber as IoT Core forwards them; the
 * 3.1.1 subscriber gets the message without them. Malformed properties answer 400.
 */
import { once } from 'node:events';
import { IoTDataPlaneClient, PublishCommand } from '@aws-sdk/client-iot-data-plane';
import { iot, mqtt5 } from 'aws-iot-device-sdk-v2';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmulatorUnderTest, type EmulatorUnderTest } from '../helpers/emulator-under-test.js';

let env: EmulatorUnderTest | undefined;
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await env?.close();
  env = undefined;
});

const TOOLS = 'webcomm/local/tools';

interface Registration {
  clientId: string;
  certificatePem: string;
  privateKeyPem: string;
  caPem: string;
  endpoint: { port: number };
}

async function registerTool(e: EmulatorUnderTest): Promise<Registration> {
  const response = await fetch(`${e.emulator.endpoints.http}/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${e.emulator.adminToken}` },
    body: JSON.stringify({ type: 'OPENSSL', publish: ['tools'] }),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as Registration;
}

/** The v2 SDK's MQTT 5 client over mutual TLS, subscribed to the tools channel. */
async function sdkSubscriber(registration: Registration): Promise<mqtt5.Mqtt5Client> {
  const builder = iot.AwsIotMqtt5ClientConfigBuilder.newDirectMqttBuilderWithMtlsFromMemory(
    'localhost',
    registration.certificatePem,
    registration.privateKeyPem,
  );
  builder.withPort(registration.endpoint.port);
  builder.withCertificateAuthority(registration.caPem);
  builder.withConnectProperties({ clientId: registration.clientId, keepAliveIntervalSeconds: 30 });
  const client = new mqtt5.Mqtt5Client(builder.build());
  cleanups.push(async () => {
    const stopped = once(client, 'stopped');
    client.stop();
    await stopped;
    client.close();
  });
  const connected = once(client, 'connectionSuccess');
  client.start();
  await connected;
  await client.subscribe({ subscriptions: [{ topicFilter: TOOLS, qos: mqtt5.QoS.AtLeastOnce }] });
  return client;
}

function dataPlane(e: EmulatorUnderTest): IoTDataPlaneClient {
  const sdk = new IoTDataPlaneClient({
    endpoint: e.emulator.endpoints.iotData,
    region: e.emulator.region,
    credentials: e.emulator.backendCredentials,
    maxAttempts: 1,
  });
  cleanups.push(async () => sdk.destroy());
  return sdk;
}

describe('data-plane Publish with MQTT 5 properties', () => {
  it('forwards every property to an MQTT 5 subscriber (the v2 SDK) and the message alone to 3.1.1', async () => {
    env = await startEmulatorUnderTest();
    const subscriber = await sdkSubscriber(await registerTool(env));
    const legacyTool = await registerTool(env);
    const legacy = await mqtt.connectAsync(env.emulator.endpoints.mqtts, {
      clientId: legacyTool.clientId,
      cert: legacyTool.certificatePem,
      key: legacyTool.privateKeyPem,
      ca: legacyTool.caPem,
      protocolVersion: 4,
      reconnectPeriod: 0,
    });
    cleanups.push(() => legacy.endAsync(true));
    await legacy.subscribeAsync(TOOLS, { qos: 1 });
    const legacyGot = new Promise<mqtt.IPublishPacket>((resolve) =>
      legacy.once('message', (_t, _p, packet) => resolve(packet)),
    );
    const got = new Promise<mqtt5.PublishPacket>((resolve) =>
      subscriber.once('messageReceived', (event) => resolve(event.message)),
    );

    const answer = await dataPlane(env).send(
      new PublishCommand({
        topic: TOOLS,
        qos: 1,
        payload: Buffer.from('{"build":42}'),
        userProperties: JSON.stringify([{ team: 'build' }, { team: 'qa' }, { priority: 'high' }]),
        payloadFormatIndicator: 'UTF8_DATA',
        contentType: 'application/json',
        responseTopic: 'webcomm/local/tools/replies',
        correlationData: Buffer.from('request-7').toString('base64'),
        messageExpiry: 120,
      }),
    );
    expect(answer.$metadata.httpStatusCode).toBe(200);

    const message = await got;
    expect(Buffer.from(message.payload as ArrayBuffer).toString()).toBe('{"build":42}');
    expect(message.userProperties).toEqual([
      { name: 'team', value: 'build' },
      { name: 'team', value: 'qa' },
      { name: 'priority', value: 'high' },
    ]);
    expect(message.payloadFormat).toBe(mqtt5.PayloadFormatIndicator.Utf8);
    expect(message.contentType).toBe('application/json');
    expect(message.responseTopic).toBe('webcomm/local/tools/replies');
    expect(Buffer.from(message.correlationData as ArrayBuffer).toString()).toBe('request-7');
    expect(message.messageExpiryIntervalSeconds).toBeGreaterThanOrEqual(119);
    expect(message.messageExpiryIntervalSeconds).toBeLessThanOrEqual(120);

    const legacyPacket = await legacyGot;
    expect(legacyPacket.payload.toString()).toBe('{"build":42}');
    expect(legacyPacket.properties).toBeUndefined();
  });

  it('answers 400 InvalidRequestException for a malformed property, publishing nothing', async () => {
    env = await startEmulatorUnderTest();
    const sdk = dataPlane(env);
    const published: string[] = [];
    const untap = env.emulator.broker.tap(TOOLS, (_topic, payload) => published.push(Buffer.from(payload).toString()));
    cleanups.push(async () => untap());
    const refused = async (input: Partial<ConstructorParameters<typeof PublishCommand>[0]>): Promise<string> => {
      try {
        await sdk.send(new PublishCommand({ topic: TOOLS, payload: Buffer.from('x'), ...input }));
      } catch (error) {
        const e = error as Error & { $metadata?: { httpStatusCode?: number } };
        return `${e.$metadata?.httpStatusCode} ${e.name}`;
      }
      return 'accepted';
    };
    for (const input of [
      { messageExpiry: 0 },
      { messageExpiry: 604_801 },
      { responseTopic: 'replies/+' },
      { userProperties: '{"not":"an array"}' },
      { userProperties: '[{"n": 1}]' },
      { correlationData: 'not base64!' },
      { payloadFormatIndicator: 'TEXT' as 'UTF8_DATA' },
    ])
      expect([input, await refused(input)]).toEqual([input, '400 InvalidRequestException']);
    expect(published).toEqual([]);
  });
});
