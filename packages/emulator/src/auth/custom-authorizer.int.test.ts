import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import type { AuthorizerEvent, AuthorizerResponse } from './custom-authorizer.js';
import { parseAuthorizerUsername } from './custom-authorizer.js';
import type { EmulatorFixture } from '../../testing/emulator-fixture.js';
import { startFixture } from '../../testing/emulator-fixture.js';
import { ManualClock } from '../../testing/manual-clock.js';
import { certificateLogin } from '../../testing/certificate-login.js';
import { closed, connect, connectRefused, nextMessage, subscribe } from '../../testing/mqtt-helpers.js';
import { upgradeRefusal } from '../../testing/ws-refusal.js';

const POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Action: 'iot:Connect', Resource: 'arn:aws:iot:*:*:client/${iot:ClientId}' },
    { Effect: 'Allow', Action: ['iot:Subscribe'], Resource: 'arn:aws:iot:*:*:topicfilter/tools/*' },
    { Effect: 'Allow', Action: ['iot:Publish', 'iot:Receive'], Resource: 'arn:aws:iot:*:*:topic/tools/*' },
    { Effect: 'Deny', Action: 'iot:Publish', Resource: 'arn:aws:iot:*:*:topic/tools/locked' },
  ],
});

let fixture: EmulatorFixture;
let clock: ManualClock;
const events: AuthorizerEvent[] = [];
const clients: MqttClient[] = [];

async function authorizer(event: AuthorizerEvent): Promise<AuthorizerResponse> {
  events.push(event);
  if (event.token === 'throw') throw new Error('authorizer bug');
  if (event.token === 'hang') return new Promise<never>(() => undefined);
  return {
    isAuthenticated: event.token === 'good',
    principalId: 'toolUser1',
    policyDocuments: [POLICY],
    disconnectAfterInSeconds: 3600,
    refreshAfterInSeconds: 300,
  };
}

beforeEach(async () => {
  events.length = 0;
  clock = new ManualClock();
  fixture = await startFixture({
    clock,
    allowAnonymous: false,
    presenceInDefaultPolicy: true,
    authorizers: { tools: { handler: authorizer, tokenKeyName: 'X-Tool-Token' } },
  });
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
  await fixture.close();
});

const username = (token: string): string =>
  `user?x-amz-customauthorizer-name=tools&X-Tool-Token=${token}&SDK=JavaScript&Version=1.2.3&Platform=node`;

describe('parseAuthorizerUsername', () => {
  it('reads the name and token and tolerates SDK metrics parameters', () => {
    const request = parseAuthorizerUsername(username('abc'));
    expect(request?.name).toBe('tools');
    expect(request?.params.get('X-Tool-Token')).toBe('abc');
    expect(request?.params.get('SDK')).toBe('JavaScript');
    expect(parseAuthorizerUsername('plain-user')).toBeUndefined();
    expect(parseAuthorizerUsername('?SDK=JavaScript')).toBeUndefined();
  });
});

describe('custom authorizer, MQTT username form', () => {
  it('connects with the policy documents the authorizer returned', async () => {
    const tool = await connect(fixture.emulator.endpoints.mqtt, {
      clientId: 'tool-1',
      username: username('good'),
      password: 'pw',
    });
    clients.push(tool);
    expect(events[0]).toMatchObject({
      token: 'good',
      signatureVerified: false,
      protocolData: { mqtt: { clientId: 'tool-1', password: Buffer.from('pw').toString('base64') } },
    });
    expect(fixture.emulator.broker.connections()[0]).toMatchObject({ clientId: 'tool-1', principalId: 'toolUser1' });
    await subscribe(tool, 'tools/+');
    const echo = nextMessage(tool);
    await tool.publishAsync('tools/build', 'done', { qos: 1 });
    expect((await echo).payload.toString()).toBe('done');
  });

  it('authorizer says no → CONNACK 5; authorizer throws → CONNACK 5; unknown name → CONNACK 5', async () => {
    expect(
      (await connectRefused(fixture.emulator.endpoints.mqtt, { clientId: 'tool-1', username: username('bad') })).code,
    ).toBe(5);
    expect(
      (await connectRefused(fixture.emulator.endpoints.mqtt, { clientId: 'tool-1', username: username('throw') })).code,
    ).toBe(5);
    const unknown = 'u?x-amz-customauthorizer-name=nope&x-tool-token=good';
    expect(
      (await connectRefused(fixture.emulator.endpoints.mqtt, { clientId: 'tool-1', username: unknown })).code,
    ).toBe(5);
    expect(fixture.refusals.map((r) => `${r.action} ${r.reason} ${r.clientId ?? '?'}`)).toEqual([
      'connect not-authenticated tool-1',
      'connect authorizer-failed tool-1',
      'connect unknown-authorizer tool-1',
    ]);
  });

  it('refuses when the authorizer does not answer within 5 s', async () => {
    const refused = connectRefused(fixture.emulator.endpoints.mqtt, { clientId: 'tool-1', username: username('hang') });
    let settled = false;
    void refused.then(() => (settled = true));
    await expect.poll(() => events.length).toBe(1);
    clock.advance(4_999);
    // The refusal would follow the timer within this turn's promise jobs: run them all first.
    await new Promise((resolve) => setImmediate(resolve));
    expect(fixture.refusals).toEqual([]);
    expect(settled).toBe(false);
    clock.advance(1);
    expect((await refused).code).toBe(5);
    expect(fixture.refusals).toEqual([
      expect.objectContaining({
        action: 'connect',
        reason: 'authorizer-timeout',
        clientId: 'tool-1',
        transport: 'tcp',
      }),
    ]);
  });

  it('an explicit Deny in the policy disconnects the publisher; its message reaches no subscriber', async () => {
    const reader = await connect(fixture.emulator.endpoints.mqtt, { clientId: 'reader', username: username('good') });
    clients.push(reader);
    await subscribe(reader, 'tools/+', 1);
    const next = nextMessage(reader);
    const tool = await connect(fixture.emulator.endpoints.mqtt, { clientId: 'tool-1', username: username('good') });
    tool.publish('tools/locked', 'x', { qos: 1 });
    await closed(tool);
    await fixture.emulator.broker.publish('tools/after', Buffer.from('after'));
    expect(await next).toMatchObject({ topic: 'tools/after' });
    expect(fixture.refusals).toEqual([
      expect.objectContaining({
        action: 'publish',
        reason: 'policy-denied',
        clientId: 'tool-1',
        topic: 'tools/locked',
        linkKept: false,
      }),
    ]);
  });

  it('enforces disconnectAfterInSeconds: the link closes at the deadline, presence says CUSTOMAUTH_TTL_EXPIRATION', async () => {
    const login = await certificateLogin(fixture.emulator, 'watcher');
    const watcher = await connect(login.url, login.options);
    clients.push(watcher);
    await subscribe(watcher, '$aws/events/presence/+/+');
    const connected = nextMessage(watcher, (topic) => topic.endsWith('/connected/tool-1'));
    const event = nextMessage(watcher, (topic) => topic.endsWith('/disconnected/tool-1'));
    const tool = await connect(fixture.emulator.endpoints.mqtt, { clientId: 'tool-1', username: username('good') });
    // The broker's own view: connected (clientReady) only after CONNACK and the queued messages.
    await connected;
    clock.advance(3_599_000);
    // A round trip on its own link: still up a second before the deadline.
    expect(await subscribe(tool, 'tools/still', 1)).toEqual([1]);
    clock.advance(1_000);
    await closed(tool);
    expect(JSON.parse((await event).payload.toString())).toMatchObject({
      clientId: 'tool-1',
      disconnectReason: 'CUSTOMAUTH_TTL_EXPIRATION',
      clientInitiatedDisconnect: false,
    });
  });

  it('an MQTT 5 client hears DISCONNECT 0xA0 (maximum connect time) at disconnectAfterInSeconds', async () => {
    const tool = await connect(fixture.emulator.endpoints.mqtt, {
      clientId: 'tool-5',
      username: username('good'),
      protocolVersion: 5,
    });
    clients.push(tool);
    const reason = new Promise<number | undefined>((resolve) =>
      tool.once('disconnect', (packet) => resolve(packet.reasonCode)),
    );
    clock.advance(3_600_000);
    expect(await reason).toBe(0xa0);
  });

  it('without credentials and anonymous off: CONNACK 5', async () => {
    expect((await connectRefused(fixture.emulator.endpoints.mqtt, { clientId: 'nobody' })).code).toBe(5);
  });
});

describe('custom authorizer, WebSocket query and headers', () => {
  it('accepts the token in the query string', async () => {
    const url = `${fixture.emulator.endpoints.ws}?x-amz-customauthorizer-name=tools&X-Tool-Token=good`;
    clients.push(await connect(url, { clientId: 'tool-2' }));
    expect(events[0]?.protocolData.http?.queryString).toContain('x-amz-customauthorizer-name=tools');
  });

  it('accepts the token in headers (wss)', async () => {
    const client = await connect(fixture.emulator.endpoints.wss, {
      clientId: 'tool-3',
      ca: fixture.emulator.caPem,
      wsOptions: { headers: { 'x-amz-customauthorizer-name': 'tools', 'x-tool-token': 'good' } },
    });
    clients.push(client);
    expect(events[0]?.token).toBe('good');
  });

  it('refuses at the upgrade with 403 when the authorizer says no', async () => {
    const refusal = await upgradeRefusal(
      `${fixture.emulator.endpoints.ws}?x-amz-customauthorizer-name=tools&X-Tool-Token=bad`,
    );
    expect(refusal.status).toBe(403);
    expect(fixture.refusals).toEqual([
      expect.objectContaining({
        action: 'upgrade',
        reason: 'not-authenticated',
        transport: 'ws',
        status: 403,
        traceId: refusal.body.traceId,
      }),
    ]);
    // The token is a secret: neither the log nor the refusal holds it.
    expect(fixture.logs.join('\n')).not.toContain('X-Tool-Token=bad');
    expect(JSON.stringify(fixture.refusals)).not.toContain('X-Tool-Token=bad');
  });
});
