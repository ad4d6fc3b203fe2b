/**
 * Ties docs/protocol.md's example payloads (docs/fixtures/*.json) to what the emulator and our
 * TypeScript client really send: every fixture is compared, field by field and type by type,
 * with a live answer or message, so the doc cannot drift from the code. The SigV4 vectors are
 * checked in packages/aws (presign-url.test.ts) and packages/emulator (presigned-signature.test.ts).
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChannelInfo, ContentUpdate, RegistrationResponse } from '@webcomm/core';
import { presignIotUrl } from '@webcomm/aws';
import { parseUpdate } from '../../packages/core/src/service/content-watcher.js';
import { closed, connect, nextMessage, subscribe } from '@webcomm/emulator/testing';
import { startEmulatorUnderTest, type EmulatorUnderTest } from '../helpers/emulator-under-test.js';

const FIXTURES = new URL('../../docs/fixtures/', import.meta.url);
const fixture = <T = Record<string, unknown>>(name: string): T =>
  JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8')) as T;

/** The structure of a JSON value: object keys with their shapes, array element shapes, type names. */
function shapeOf(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(shapeOf);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([key, inner]) => [key, shapeOf(inner)]),
    );
  }
  return value === null ? 'null' : typeof value;
}

/** The same value with every occurrence of `id` (a client id) replaced, to compare per-client strings. */
function withId(value: unknown, id: string, by = '{clientId}'): unknown {
  return JSON.parse(JSON.stringify(value).replaceAll(id, by));
}

// Every field of the TypeScript client's wire types (a missing or extra key fails to compile), to
// check the fixtures name only fields our client knows.
const REGISTRATION_FIELDS: Record<keyof RegistrationResponse, true> = {
  connectionType: true,
  clientId: true,
  endpoint: true,
  region: true,
  identityPoolId: true,
  cognitoEndpoint: true,
  identityId: true,
  openIdToken: true,
  openIdTokenExpiresAt: true,
  channels: true,
  serviceToken: true,
  serviceTokenSignature: true,
  certificatePem: true,
  privateKeyPem: true,
  caPem: true,
  certificateExpiresAt: true,
  brokerPublish: true,
};
const CHANNEL_FIELDS: Record<keyof ChannelInfo, true> = {
  name: true,
  type: true,
  topic: true,
  clientPublish: true,
  retainLatest: true,
};
const CONTENT_FIELDS: Record<keyof ContentUpdate, true> = { version: true, etag: true, url: true, data: true };

let env: EmulatorUnderTest | undefined;
const clients: MqttClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.end(true);
  await env?.close();
  env = undefined;
});

interface Registration {
  clientId: string;
  identityId: string;
  openIdToken: string;
  serviceToken: string;
  region: string;
  endpoint: { url: string };
  cognitoEndpoint: string;
}

async function register(http: string): Promise<Registration> {
  const response = await fetch(`${http}/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(fixture('registration-request.json')),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as Registration;
}

async function credentialsOf(registration: Registration): Promise<{ status: number; body: Record<string, unknown> }> {
  const { request } = fixture<{
    request: { headers: Record<string, string>; body: { Logins: Record<string, string> } };
  }>('cognito-get-credentials.json');
  const body = {
    ...request.body,
    IdentityId: registration.identityId,
    Logins: { 'cognito-identity.amazonaws.com': registration.openIdToken },
  };
  const response = await fetch(registration.cognitoEndpoint, {
    method: 'POST',
    headers: request.headers,
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** Connects as the registered client over the SigV4 WebSocket, signed by @webcomm/aws. */
async function connectAs(registration: Registration): Promise<MqttClient> {
  const { body } = await credentialsOf(registration);
  const credentials = body.Credentials as { AccessKeyId: string; SecretKey: string; SessionToken: string };
  const url = await presignIotUrl({
    endpoint: registration.endpoint.url,
    region: registration.region,
    credentials: {
      accessKeyId: credentials.AccessKeyId,
      secretAccessKey: credentials.SecretKey,
      sessionToken: credentials.SessionToken,
    },
  });
  const client = await connect(url, { clientId: registration.clientId, protocolVersion: 4, clean: true });
  clients.push(client);
  return client;
}

describe("docs/fixtures match the TypeScript client's wire types", () => {
  it('registration answer, channel and content update name only fields the client knows', () => {
    const registration = fixture('registration-response.json');
    expect(Object.keys(registration).filter((key) => !(key in REGISTRATION_FIELDS))).toEqual([]);
    for (const channel of (registration as { channels: Record<string, unknown>[] }).channels)
      expect(Object.keys(channel).filter((key) => !(key in CHANNEL_FIELDS))).toEqual([]);
    const update = fixture('content-update.json');
    expect(Object.keys(update).filter((key) => !(key in CONTENT_FIELDS))).toEqual([]);
    // The client's content watcher accepts the doc's update as it is.
    expect(parseUpdate(update, 'content-updates')).toEqual(update);
  });
});

describe('docs/fixtures match the live protocol', () => {
  it('registration request and answer, channel list and the service error body', async () => {
    env = await startEmulatorUnderTest();
    const http = env.emulator.endpoints.http;
    const registration = await register(http);
    const expected = fixture<Registration>('registration-response.json');
    expect(shapeOf(registration)).toEqual(shapeOf(expected));
    // The channels are the defaults, with the client's own id in its private topic.
    expect(withId((registration as unknown as { channels: unknown }).channels, registration.clientId)).toEqual(
      withId((expected as unknown as { channels: unknown }).channels, expected.clientId),
    );
    expect(registration.identityId).toBe(registration.clientId);

    const channels = await fetch(`${http}/channels`, {
      headers: { authorization: `Bearer ${registration.serviceToken}` },
    });
    const expectedChannels = fixture('channels-response.json');
    expect(withId(await channels.json(), registration.clientId)).toEqual(withId(expectedChannels, expected.clientId));

    const error = fixture<{ status: number; body: { error: { code: string } } }>('error-response.json');
    const refused = await fetch(`${http}/publish`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${registration.serviceToken}` },
      body: JSON.stringify({ channel: 'announcements', message: { text: 'hi' } }),
    });
    expect(refused.status).toBe(error.status);
    expect(await refused.json()).toEqual(error.body);
  });

  it('Cognito GetCredentialsForIdentity as the doc shows it', async () => {
    env = await startEmulatorUnderTest();
    const registration = await register(env.emulator.endpoints.http);
    const { status, body } = await credentialsOf(registration);
    expect(status).toBe(200);
    expect(shapeOf(body)).toEqual(shapeOf(fixture<{ response: unknown }>('cognito-get-credentials.json').response));
    expect(body.IdentityId).toBe(registration.identityId);
  });

  it('a channel message, a content update and the presence events, as a subscriber receives them', async () => {
    env = await startEmulatorUnderTest({ presenceInDefaultPolicy: true });
    const { emulator } = env;
    const admin = (path: string, init: RequestInit): Promise<Response> =>
      fetch(`${emulator.endpoints.http}${path}`, {
        ...init,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${emulator.adminToken}` },
      });
    const observer = await connectAs(await register(emulator.endpoints.http));
    const message = fixture<{ publish: { channel: string; message: unknown }; topic: string; payload: string }>(
      'channel-message.json',
    );
    await subscribe(observer, [message.topic, 'webcomm/local/content-updates', '$aws/events/presence/+/+'], 1);

    const player = await register(emulator.endpoints.http);
    const connectedEvent = nextMessage(
      observer,
      (topic) => topic === `$aws/events/presence/connected/${player.clientId}`,
    );
    const playerLink = await connectAs(player);
    const connected = await connectedEvent;
    const expectedConnected = fixture<{ topic: string; event: Record<string, unknown> }>('presence-connected.json');
    const fixtureId = expectedConnected.event.clientId as string;
    expect(withId(connected.topic, player.clientId)).toBe(withId(expectedConnected.topic, fixtureId));
    const connectedBody = JSON.parse(connected.payload.toString('utf8')) as Record<string, unknown>;
    expect(shapeOf(connectedBody)).toEqual(shapeOf(expectedConnected.event));
    expect(connectedBody.eventType).toBe('connected');

    const received = nextMessage(observer, (topic) => topic === message.topic);
    expect((await admin('/admin/publish', { method: 'POST', body: JSON.stringify(message.publish) })).status).toBe(200);
    expect((await received).payload.toString('utf8')).toBe(message.payload);

    const update = fixture('content-update.json');
    const content = nextMessage(observer, (topic) => topic === 'webcomm/local/content-updates');
    expect(
      (
        await admin('/admin/publish', {
          method: 'POST',
          body: JSON.stringify({ channel: 'content-updates', message: update }),
        })
      ).status,
    ).toBe(200);
    expect(JSON.parse((await content).payload.toString('utf8'))).toEqual(update);

    const expectedDisconnected = fixture<{ topic: string; event: Record<string, unknown> }>(
      'presence-disconnected.json',
    );
    const disconnectedEvent = nextMessage(
      observer,
      (topic) => topic === `$aws/events/presence/disconnected/${player.clientId}`,
    );
    expect(
      (await admin(`/admin/connections/${encodeURIComponent(player.clientId)}`, { method: 'DELETE' })).status,
    ).toBe(200);
    await closed(playerLink);
    const disconnected = await disconnectedEvent;
    expect(withId(disconnected.topic, player.clientId)).toBe(withId(expectedDisconnected.topic, fixtureId));
    const disconnectedBody = JSON.parse(disconnected.payload.toString('utf8')) as Record<string, unknown>;
    expect(shapeOf(disconnectedBody)).toEqual(shapeOf(expectedDisconnected.event));
    expect(disconnectedBody.disconnectReason).toBe(expectedDisconnected.event.disconnectReason);
    expect(disconnectedBody.sessionIdentifier).toBe(connectedBody.sessionIdentifier);
  });

  it('docs/protocol.md links every fixture', () => {
    const doc = readFileSync(new URL('../../docs/protocol.md', import.meta.url), 'utf8');
    const files = readdirSync(FIXTURES).filter((name) => name.endsWith('.json'));
    expect(files.length).toBeGreaterThanOrEqual(10);
    for (const name of files)
      expect(doc, `docs/protocol.md does not link fixtures/${name}`).toContain(`(./fixtures/${name})`);
  });
});
