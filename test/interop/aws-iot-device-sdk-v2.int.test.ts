/**
 * AWS's v2 device SDK (`aws-iot-device-sdk-v2`, its aws-crt native client, as shipped on npm)
 * against the emulator's defaults, used exactly as an app on IoT Core uses it: the MQTT 5 and the
 * 3.1.1 WebSocket builders with SigV4 (Cognito guest credentials; aws-crt signs
 * `connection;host` and appends the session token unsigned), mutual TLS with an operator-issued
 * certificate, and a custom authorizer. Nothing in the SDK's signing is replaced: only the
 * endpoint, port, region and trust anchor are configured, as for any private endpoint.
 */
import { once } from 'node:events';
import { auth, iot, mqtt, mqtt5 } from 'aws-iot-device-sdk-v2';
import { afterEach, describe, expect, it } from 'vitest';
import { guestCredentials, startEmulatorUnderTest, type EmulatorUnderTest } from '../helpers/emulator-under-test.js';

let env: EmulatorUnderTest | undefined;
const clients: mqtt5.Mqtt5Client[] = [];
const connections: mqtt.MqttClientConnection[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) {
    const stopped = once(client, 'stopped');
    client.stop();
    await stopped;
    client.close();
  }
  for (const connection of connections.splice(0)) await connection.disconnect().catch(() => undefined);
  await env?.close();
  env = undefined;
});

const ANNOUNCEMENTS = 'webcomm/local/announcements';

/** Starts `client` and resolves with its CONNACK, or rejects with what the SDK reported. */
async function started(client: mqtt5.Mqtt5Client): Promise<mqtt5.ConnackPacket> {
  clients.push(client);
  const outcome = new Promise<mqtt5.ConnackPacket>((resolve, reject) => {
    client.once('connectionSuccess', (event) => resolve(event.connack));
    client.once('connectionFailure', (event) => reject(event.error));
  });
  client.start();
  return outcome;
}

function nextMessage(client: mqtt5.Mqtt5Client): Promise<mqtt5.PublishPacket> {
  return new Promise((resolve) => client.once('messageReceived', (event) => resolve(event.message)));
}

function text(payload: mqtt5.Payload | undefined): string {
  if (payload === undefined) return '';
  if (typeof payload === 'string') return payload;
  return Buffer.from(payload as ArrayBuffer).toString();
}

/** A certificate client the operator registered, with publish rights on the tools channel. */
async function registerTool(e: EmulatorUnderTest): Promise<{
  clientId: string;
  certificatePem: string;
  privateKeyPem: string;
  caPem: string;
  endpoint: { port: number };
}> {
  const response = await fetch(`${e.emulator.endpoints.http}/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${e.emulator.adminToken}` },
    body: JSON.stringify({ type: 'OPENSSL', publish: ['tools'] }),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as Awaited<ReturnType<typeof registerTool>>;
}

/** The MQTT 5 SigV4 WebSocket builder as AWS documents it, pointed at the emulator. */
async function sigv4Mqtt5(e: EmulatorUnderTest, secure: boolean) {
  const { identityId, credentials } = await guestCredentials(e.emulator);
  const builder = iot.AwsIotMqtt5ClientConfigBuilder.newWebsocketMqttBuilderWithSigv4Auth('localhost', {
    region: e.emulator.region,
    credentialsProvider: auth.AwsCredentialsProvider.newStatic(
      credentials.accessKeyId,
      credentials.secretAccessKey,
      credentials.sessionToken,
    ),
  });
  builder.withPort(secure ? e.emulator.endpoints.ports.https : e.emulator.endpoints.ports.http);
  builder.withCertificateAuthority(e.emulator.caPem);
  builder.withConnectProperties({ clientId: identityId, keepAliveIntervalSeconds: 30 });
  const config = builder.build();
  // Plain ws: the same signed upgrade without TLS (the emulator's `ws://` endpoint).
  if (!secure) config.tlsCtx = undefined;
  return { identityId, client: new mqtt5.Mqtt5Client(config) };
}

describe('aws-iot-device-sdk-v2 against the emulator', () => {
  for (const secure of [true, false]) {
    it(`MQTT 5 over the SigV4 WebSocket (${secure ? 'wss' : 'ws'}) connects, subscribes and receives`, async () => {
      env = await startEmulatorUnderTest();
      const { identityId, client } = await sigv4Mqtt5(env, secure);
      const connack = await started(client);
      expect(connack.reasonCode).toBe(mqtt5.ConnectReasonCode.Success);
      const suback = await client.subscribe({
        subscriptions: [{ topicFilter: ANNOUNCEMENTS, qos: mqtt5.QoS.AtMostOnce }],
      });
      expect(suback.reasonCodes).toEqual([mqtt5.SubackReasonCode.GrantedQoS0]);
      const message = nextMessage(client);
      await env.emulator.broker.publish(ANNOUNCEMENTS, Buffer.from('{"from":"service"}'));
      expect(text((await message).payload)).toBe('{"from":"service"}');
      expect(env.emulator.broker.connections().find((c) => c.clientId === identityId)).toMatchObject({
        transport: secure ? 'wss' : 'ws',
        principalId: identityId,
      });
      expect(env.refusals).toEqual([]);
    });
  }

  it('MQTT 3.1.1 over the SigV4 WebSocket builder connects, subscribes and receives', async () => {
    env = await startEmulatorUnderTest();
    const { identityId, credentials } = await guestCredentials(env.emulator);
    const config = iot.AwsIotMqttConnectionConfigBuilder.new_with_websockets({
      region: env.emulator.region,
      credentials_provider: auth.AwsCredentialsProvider.newStatic(
        credentials.accessKeyId,
        credentials.secretAccessKey,
        credentials.sessionToken,
      ),
    })
      .with_endpoint('localhost')
      .with_port(env.emulator.endpoints.ports.https)
      .with_certificate_authority(env.emulator.caPem)
      .with_client_id(identityId)
      .with_clean_session(true)
      .with_keep_alive_seconds(30)
      .build();
    const connection = new mqtt.MqttClient().new_connection(config);
    connections.push(connection);
    connection.on('error', () => undefined);
    await connection.connect();
    const received = new Promise<string>((resolve) =>
      connection.on('message', (topic, payload) => {
        if (topic === ANNOUNCEMENTS) resolve(Buffer.from(payload).toString());
      }),
    );
    const granted = await connection.subscribe(ANNOUNCEMENTS, mqtt.QoS.AtMostOnce);
    expect(granted.qos).toBe(mqtt.QoS.AtMostOnce);
    await env.emulator.broker.publish(ANNOUNCEMENTS, Buffer.from('hello 3.1.1'));
    expect(await received).toBe('hello 3.1.1');
    expect(env.refusals).toEqual([]);
  });

  it('MQTT 5 with an operator-issued certificate (mutual TLS) connects and publishes where granted', async () => {
    env = await startEmulatorUnderTest();
    const registration = await registerTool(env);
    const builder = iot.AwsIotMqtt5ClientConfigBuilder.newDirectMqttBuilderWithMtlsFromMemory(
      'localhost',
      registration.certificatePem,
      registration.privateKeyPem,
    );
    builder.withPort(registration.endpoint.port);
    builder.withCertificateAuthority(registration.caPem);
    builder.withConnectProperties({ clientId: registration.clientId, keepAliveIntervalSeconds: 30 });
    const client = new mqtt5.Mqtt5Client(builder.build());
    await started(client);
    const suback = await client.subscribe({
      subscriptions: [{ topicFilter: 'webcomm/local/tools', qos: mqtt5.QoS.AtLeastOnce }],
    });
    expect(suback.reasonCodes).toEqual([mqtt5.SubackReasonCode.GrantedQoS1]);
    const echoed = nextMessage(client);
    const puback = await client.publish({ topicName: 'webcomm/local/tools', payload: '{"build":42}', qos: 1 });
    expect(puback?.reasonCode).toBe(mqtt5.PubackReasonCode.Success);
    expect(text((await echoed).payload)).toBe('{"build":42}');
    expect(env.emulator.broker.connections().find((c) => c.clientId === registration.clientId)?.transport).toBe('tls');
  });

  for (const transport of ['wss', 'tls'] as const) {
    it(`MQTT 5 through a custom authorizer (${transport}) connects with the policy the authorizer returned`, async () => {
      const tokens: string[] = [];
      env = await startEmulatorUnderTest({
        authorizers: {
          tools: {
            tokenKeyName: 'X-Tool-Token',
            handler: async (event) => {
              tokens.push(event.token ?? '');
              return {
                isAuthenticated: event.token === 'good',
                principalId: 'toolUser1',
                policyDocuments: [TOOL_POLICY],
                disconnectAfterInSeconds: 3600,
                refreshAfterInSeconds: 300,
              };
            },
          },
        },
      });
      const authConfig = {
        authorizerName: 'tools',
        username: 'tool',
        password: Buffer.from('pw'),
        tokenKeyName: 'X-Tool-Token',
        tokenValue: 'good',
        // The SDK requires a signature with a token; the emulator passes it on unverified.
        tokenSignature: 'c2lnbmF0dXJl',
      };
      const builder =
        transport === 'wss'
          ? iot.AwsIotMqtt5ClientConfigBuilder.newWebsocketMqttBuilderWithCustomAuth('localhost', authConfig)
          : iot.AwsIotMqtt5ClientConfigBuilder.newDirectMqttBuilderWithCustomAuth('localhost', authConfig);
      builder.withPort(transport === 'wss' ? env.emulator.endpoints.ports.https : env.emulator.endpoints.ports.mqtts);
      builder.withCertificateAuthority(env.emulator.caPem);
      builder.withConnectProperties({ clientId: 'tool-1', keepAliveIntervalSeconds: 30 });
      const client = new mqtt5.Mqtt5Client(builder.build());
      await started(client);
      expect(tokens).toEqual(['good']);
      const suback = await client.subscribe({ subscriptions: [{ topicFilter: 'tools/a', qos: mqtt5.QoS.AtMostOnce }] });
      expect(suback.reasonCodes).toEqual([mqtt5.SubackReasonCode.GrantedQoS0]);
      const message = nextMessage(client);
      await env.emulator.broker.publish('tools/a', Buffer.from('for tools'));
      expect(text((await message).payload)).toBe('for tools');
      expect(env.emulator.broker.connections().find((c) => c.clientId === 'tool-1')).toMatchObject({
        transport,
        principalId: 'toolUser1',
      });
    });
  }
});

describe("what the SDK hears in IoT Core's MQTT 5 CONNACK", () => {
  it('Server Keep Alive, the adjusted session expiry, Topic Alias Maximum 8 (the SDK then aliases), no subscription ids', async () => {
    env = await startEmulatorUnderTest();
    const registration = await registerTool(env);
    const builder = iot.AwsIotMqtt5ClientConfigBuilder.newDirectMqttBuilderWithMtlsFromMemory(
      'localhost',
      registration.certificatePem,
      registration.privateKeyPem,
    );
    builder.withPort(registration.endpoint.port);
    builder.withCertificateAuthority(registration.caPem);
    builder.withConnectProperties({
      clientId: registration.clientId,
      keepAliveIntervalSeconds: 10,
      sessionExpiryIntervalSeconds: 604_800,
    });
    builder.withTopicAliasingOptions({
      outboundBehavior: mqtt5.OutboundTopicAliasBehaviorType.LRU,
      outboundCacheMaxSize: 8,
    });
    const client = new mqtt5.Mqtt5Client(builder.build());
    const connack = await started(client);
    expect(connack).toMatchObject({
      reasonCode: mqtt5.ConnectReasonCode.Success,
      serverKeepAlive: 30,
      sessionExpiryInterval: 3600,
      topicAliasMaximum: 8,
      maximumQos: mqtt5.QoS.AtLeastOnce,
      subscriptionIdentifiersAvailable: false,
      maximumPacketSize: 147_460,
    });
    await client.subscribe({ subscriptions: [{ topicFilter: 'webcomm/local/tools', qos: mqtt5.QoS.AtLeastOnce }] });
    const got: string[] = [];
    const both = new Promise<void>((resolve) =>
      client.on('messageReceived', ({ message }) => {
        got.push(text(message.payload));
        if (got.length === 2) resolve();
      }),
    );
    // The second PUBLISH goes out as an alias only (LRU aliasing); the emulator resolves it.
    for (const payload of ['first', 'second'])
      expect((await client.publish({ topicName: 'webcomm/local/tools', payload, qos: 1 }))?.reasonCode).toBe(
        mqtt5.PubackReasonCode.Success,
      );
    await both;
    expect(got).toEqual(['first', 'second']);
  });
});

describe("the SDK's Maximum Packet Size", () => {
  it('a client that allows 1,024 bytes gets no larger PUBLISH and stays connected', async () => {
    env = await startEmulatorUnderTest();
    const registration = await registerTool(env);
    const builder = iot.AwsIotMqtt5ClientConfigBuilder.newDirectMqttBuilderWithMtlsFromMemory(
      'localhost',
      registration.certificatePem,
      registration.privateKeyPem,
    );
    builder.withPort(registration.endpoint.port);
    builder.withCertificateAuthority(registration.caPem);
    builder.withConnectProperties({
      clientId: registration.clientId,
      keepAliveIntervalSeconds: 30,
      maximumPacketSizeBytes: 1024,
    });
    const client = new mqtt5.Mqtt5Client(builder.build());
    await started(client);
    const lost: string[] = [];
    client.on('disconnection', (event) => lost.push(String(event.error)));
    await client.subscribe({ subscriptions: [{ topicFilter: 'webcomm/local/tools', qos: mqtt5.QoS.AtLeastOnce }] });
    const got = new Promise<number>((resolve) =>
      client.once('messageReceived', ({ message }) => resolve(Buffer.from(message.payload as ArrayBuffer).length)),
    );
    await env.emulator.broker.publish('webcomm/local/tools', Buffer.alloc(4_010, 1), { qos: 1 });
    await env.emulator.broker.publish('webcomm/local/tools', Buffer.alloc(100, 1), { qos: 1 });
    expect(await got).toBe(100);
    expect(lost).toEqual([]);
  });
});

describe('shared subscriptions through the SDK', () => {
  it('two SDK clients in $share/workers/... split the messages between them', async () => {
    env = await startEmulatorUnderTest();
    const members = await Promise.all(
      [await registerTool(env), await registerTool(env)].map(async (registration) => {
        const builder = iot.AwsIotMqtt5ClientConfigBuilder.newDirectMqttBuilderWithMtlsFromMemory(
          'localhost',
          registration.certificatePem,
          registration.privateKeyPem,
        );
        builder.withPort(registration.endpoint.port);
        builder.withCertificateAuthority(registration.caPem);
        builder.withConnectProperties({ clientId: registration.clientId, keepAliveIntervalSeconds: 30 });
        const client = new mqtt5.Mqtt5Client(builder.build());
        await started(client);
        const suback = await client.subscribe({
          subscriptions: [{ topicFilter: '$share/workers/webcomm/local/tools', qos: mqtt5.QoS.AtLeastOnce }],
        });
        expect(suback.reasonCodes).toEqual([mqtt5.SubackReasonCode.GrantedQoS1]);
        const got: string[] = [];
        client.on('messageReceived', ({ message }) => got.push(text(message.payload)));
        return { client, got };
      }),
    );
    for (const n of [1, 2, 3, 4])
      await env.emulator.broker.publish('webcomm/local/tools', Buffer.from(String(n)), { qos: 1 });
    while (members.reduce((sum, m) => sum + m.got.length, 0) < 4)
      await new Promise((resolve) => members.forEach((m) => m.client.once('messageReceived', resolve)));
    expect(members.map((m) => m.got.length)).toEqual([2, 2]);
    expect(members.flatMap((m) => m.got).sort()).toEqual(['1', '2', '3', '4']);
  });
});

describe('presence as an operator watches it', () => {
  it("the backend credentials watch presence over the SigV4 WebSocket; the SDK's stop() is CLIENT_INITIATED_DISCONNECT", async () => {
    env = await startEmulatorUnderTest();
    const { backendCredentials } = env.emulator;
    // What a backend does on AWS with its IAM role: long-term credentials, no session token.
    const builder = iot.AwsIotMqtt5ClientConfigBuilder.newWebsocketMqttBuilderWithSigv4Auth('localhost', {
      region: env.emulator.region,
      credentialsProvider: auth.AwsCredentialsProvider.newStatic(
        backendCredentials.accessKeyId,
        backendCredentials.secretAccessKey,
      ),
    });
    builder.withPort(env.emulator.endpoints.ports.http);
    builder.withConnectProperties({ clientId: 'operator-presence', keepAliveIntervalSeconds: 30 });
    const config = builder.build();
    config.tlsCtx = undefined;
    const operator = new mqtt5.Mqtt5Client(config);
    await started(operator);
    const suback = await operator.subscribe({
      subscriptions: [{ topicFilter: '$aws/events/presence/+/+', qos: mqtt5.QoS.AtMostOnce }],
    });
    expect(suback.reasonCodes).toEqual([mqtt5.SubackReasonCode.GrantedQoS0]);
    const events: { eventType: string; clientId: string; disconnectReason?: string }[] = [];
    const disconnected = new Promise<void>((resolve) =>
      operator.on('messageReceived', ({ message }) => {
        const event = JSON.parse(text(message.payload)) as (typeof events)[number];
        events.push(event);
        if (event.eventType === 'disconnected') resolve();
      }),
    );

    const { identityId, client: player } = await sigv4Mqtt5(env, false);
    await started(player);
    const stopped = once(player, 'stopped');
    player.stop();
    await stopped;
    clients.splice(clients.indexOf(player), 1);
    player.close();
    await disconnected;
    expect(events).toEqual([
      expect.objectContaining({ eventType: 'connected', clientId: identityId }),
      expect.objectContaining({
        eventType: 'disconnected',
        clientId: identityId,
        disconnectReason: 'CLIENT_INITIATED_DISCONNECT',
      }),
    ]);
  });
});

const TOOL_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Action: 'iot:Connect', Resource: 'arn:aws:iot:*:*:client/${iot:ClientId}' },
    { Effect: 'Allow', Action: 'iot:Subscribe', Resource: 'arn:aws:iot:*:*:topicfilter/tools/*' },
    { Effect: 'Allow', Action: 'iot:Receive', Resource: 'arn:aws:iot:*:*:topic/tools/*' },
  ],
});
