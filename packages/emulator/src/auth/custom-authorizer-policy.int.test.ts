/**
 * A custom authorizer's policy documents enforced by the broker as IoT Core does: `Condition`
 * blocks decide whether a statement applies, and a `*` spans newlines, so a client id or topic
 * holding `\n` cannot step around a Deny.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import type { AuthorizerEvent, AuthorizerResponse } from './custom-authorizer.js';
import type { EmulatorFixture } from '../../testing/emulator-fixture.js';
import { startFixture } from '../../testing/emulator-fixture.js';
import { closed, connect, connectRefused } from '../../testing/mqtt-helpers.js';

const ARN = 'arn:aws:iot:*:*';

/** Each token names the policy the authorizer answers with. */
const POLICIES: Readonly<Record<string, readonly object[]>> = {
  // An Allow meant for tool-1 only: the client resource is `*`, the condition narrows it.
  'only-tool-1': [
    {
      Effect: 'Allow',
      Action: 'iot:Connect',
      Resource: `${ARN}:client/*`,
      Condition: { StringEquals: { 'iot:ClientId': 'tool-1' } },
    },
  ],
  // Connect only from the loopback network, and only from elsewhere.
  loopback: [
    {
      Effect: 'Allow',
      Action: 'iot:Connect',
      Resource: '*',
      Condition: { IpAddress: { 'aws:SourceIp': '127.0.0.0/8' } },
    },
  ],
  remote: [
    {
      Effect: 'Allow',
      Action: 'iot:Connect',
      Resource: '*',
      Condition: { NotIpAddress: { 'aws:SourceIp': ['127.0.0.0/8', '::1/128'] } },
    },
  ],
  // Every client connects as itself and publishes under its own devices/ prefix, except blocked ids and admin topics.
  guarded: [
    { Effect: 'Allow', Action: 'iot:Connect', Resource: `${ARN}:client/\${iot:ClientId}` },
    { Effect: 'Deny', Action: 'iot:Connect', Resource: `${ARN}:client/blocked*` },
    { Effect: 'Allow', Action: 'iot:Publish', Resource: `${ARN}:topic/devices/\${iot:ClientId}/*` },
    { Effect: 'Deny', Action: 'iot:Publish', Resource: `${ARN}:topic/devices/*/admin` },
  ],
};

async function authorizer(event: AuthorizerEvent): Promise<AuthorizerResponse> {
  const statements = POLICIES[event.token ?? ''] ?? [];
  return {
    isAuthenticated: statements.length > 0,
    principalId: 'policyTest',
    policyDocuments: [JSON.stringify({ Version: '2012-10-17', Statement: statements })],
    disconnectAfterInSeconds: 3600,
    refreshAfterInSeconds: 300,
  };
}

let fixture: EmulatorFixture;
const clients: MqttClient[] = [];

beforeEach(async () => {
  fixture = await startFixture({ allowAnonymous: false, authorizers: { policies: { handler: authorizer } } });
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.endAsync(true)));
  await fixture.close();
});

const username = (token: string): string => `u?x-amz-customauthorizer-name=policies&token=${token}`;

async function connectAs(clientId: string, token: string): Promise<MqttClient> {
  const client = await connect(fixture.emulator.endpoints.mqtt, { clientId, username: username(token) });
  clients.push(client);
  return client;
}

describe('custom authorizer policy Condition', () => {
  it('grants an Allow conditioned on iot:ClientId to that client id only', async () => {
    await connectAs('tool-1', 'only-tool-1');
    const other = await connectRefused(fixture.emulator.endpoints.mqtt, {
      clientId: 'tool-2',
      username: username('only-tool-1'),
    });
    expect(other.code).toBe(5);
    expect(fixture.refusals).toEqual([
      expect.objectContaining({ action: 'connect', reason: 'policy-denied', clientId: 'tool-2' }),
    ]);
  });
});

describe('custom authorizer policy aws:SourceIp', () => {
  it('evaluates IpAddress / NotIpAddress on the connection address', async () => {
    await connectAs('near', 'loopback');
    const far = await connectRefused(fixture.emulator.endpoints.mqtt, {
      clientId: 'far',
      username: username('remote'),
    });
    expect(far.code).toBe(5);
  });
});

describe('custom authorizer policy globs and newlines', () => {
  it('a Deny on client/blocked* refuses the client id "blocked\\nx"', async () => {
    await connectAs('ok-1', 'guarded');
    const refused = await connectRefused(fixture.emulator.endpoints.mqtt, {
      clientId: 'blocked\nx',
      username: username('guarded'),
    });
    expect(refused.code).toBe(5);
    expect(fixture.refusals).toEqual([
      expect.objectContaining({ action: 'connect', reason: 'policy-denied', clientId: 'blocked\nx' }),
    ]);
  });

  it('a Deny on topic/devices/*/admin holds for a client id and topic holding a newline', async () => {
    const device = await connectAs('dev\n1', 'guarded');
    // Its own topic is granted, newline and all: the grant is literal, the glob spans the rest.
    await device.publishAsync('devices/dev\n1/status', 'up', { qos: 1 });
    device.publish('devices/dev\n1/admin', 'take over', { qos: 1 });
    await closed(device);
    expect(fixture.refusals).toEqual([
      expect.objectContaining({
        action: 'publish',
        reason: 'policy-denied',
        clientId: 'dev\n1',
        topic: 'devices/dev\n1/admin',
      }),
    ]);
  });
});
