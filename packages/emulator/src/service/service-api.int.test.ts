/**
 * The service API over real HTTP against a real emulator (user table on classic-level,
 * channels.json, service tokens), with real MQTT.js clients for the ban path.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stampedMessageId, type RegistrationResponse, type ServiceErrorBody } from '@webcomm/core';
import type { IClientOptions, IPublishPacket } from 'mqtt';
import type { UserRecord } from '@webcomm/core/internal';
import { afterEach, describe, expect, it } from 'vitest';
import { startFixture, type EmulatorFixture } from '../../testing/emulator-fixture.js';
import { closed, connect, connectRefused, nextMessage, subscribe } from '../../testing/mqtt-helpers.js';
import { certificateLogin } from '../../testing/certificate-login.js';

let fixture: EmulatorFixture;
afterEach(async () => {
  await fixture?.close();
});

const start = async (): Promise<EmulatorFixture> =>
  (fixture = await startFixture({ users: undefined, channels: undefined }));

async function call(
  path: string,
  init: { method?: string; token?: string; body?: unknown; raw?: string } = {},
): Promise<{ status: number; body: unknown; headers: Headers }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (init.token !== undefined) headers.authorization = `Bearer ${init.token}`;
  const response = await fetch(`${fixture.emulator.endpoints.http}${path}`, {
    method: init.method ?? (init.body === undefined && init.raw === undefined ? 'GET' : 'POST'),
    headers,
    ...(init.raw !== undefined
      ? { body: init.raw }
      : init.body !== undefined
        ? { body: JSON.stringify(init.body) }
        : {}),
  });
  return { status: response.status, body: await response.json(), headers: response.headers };
}

const errorCode = (body: unknown): string => (body as ServiceErrorBody).error.code;

/** Connects as a registered client with a certificate the operator issued for its id. */
async function connectAs(clientId: string, options: IClientOptions = {}): Promise<ReturnType<typeof connect>> {
  const login = await certificateLogin(fixture.emulator, clientId);
  return connect(login.url, { ...login.options, ...options });
}

async function refusedAs(clientId: string): Promise<{ code: number | undefined }> {
  const login = await certificateLogin(fixture.emulator, clientId);
  return connectRefused(login.url, login.options);
}

async function register(
  type: 'WEBSOCKET' | 'OPENSSL',
  extra: { clientId?: string; token?: string } = {},
): Promise<RegistrationResponse> {
  // Certificates come from the operator (admin token).
  const token = extra.token ?? (type === 'OPENSSL' ? fixture.emulator.adminToken : undefined);
  const { status, body } = await call('/register', {
    body: { type, ...(extra.clientId ? { clientId: extra.clientId } : {}) },
    ...(token ? { token } : {}),
  });
  expect(status).toBe(200);
  return body as RegistrationResponse;
}

describe('service API (real emulator, real HTTP)', () => {
  it('registers a WEBSOCKET client: endpoint, identity, channels with its private topic, a service token', async () => {
    await start();
    const reg = await register('WEBSOCKET');
    expect(reg.connectionType).toBe('WEBSOCKET');
    expect(reg.endpoint.url).toBe(fixture.emulator.endpoints.ws);
    expect(reg.identityPoolId).toBe(fixture.emulator.identityPoolId);
    expect(reg.identityId).toBe(reg.clientId);
    expect(reg.cognitoEndpoint).toBe(fixture.emulator.endpoints.cognito);
    expect(reg.channels.find((c) => c.name === 'private')?.topic).toBe(`webcomm/local/private/client/${reg.clientId}`);
    expect(reg.channels.find((c) => c.name === 'announcements')?.topic).toBe('webcomm/local/announcements');
    expect(reg.serviceToken.length).toBeGreaterThan(30);
    expect(reg.privateKeyPem).toBeUndefined();
  });

  it('registers an OPENSSL client with a certificate that the mTLS listener accepts', async () => {
    await start();
    const reg = await register('OPENSSL');
    expect(reg.certificatePem).toMatch(/BEGIN CERTIFICATE/);
    expect(reg.privateKeyPem).toMatch(/BEGIN PRIVATE KEY/);
    expect(reg.endpoint.port).toBe(fixture.emulator.endpoints.ports.mqtts);
    const client = await connect(fixture.emulator.endpoints.mqtts, {
      clientId: reg.clientId,
      cert: reg.certificatePem,
      key: reg.privateKeyPem,
      ca: reg.caPem,
      ALPNProtocols: ['x-amzn-mqtt-ca'],
    });
    expect(client.connected).toBe(true);
    client.end(true);
  });

  it('an existing client id can be re-registered only with its own service token', async () => {
    await start();
    const first = await register('WEBSOCKET');
    const stolen = await call('/register', { body: { type: 'WEBSOCKET', clientId: first.clientId } });
    expect(stolen.status).toBe(403);
    expect(errorCode(stolen.body)).toBe('IDENTITY_TAKEN');
    const again = await register('WEBSOCKET', { clientId: first.clientId, token: first.serviceToken });
    expect(again.clientId).toBe(first.clientId);
  });

  it('refuses every bad request with its status and a JSON error', async () => {
    await start();
    const reg = await register('WEBSOCKET');
    const token = reg.serviceToken;
    const cases: [string, Parameters<typeof call>[1], number, string][] = [
      ['no service token', { body: { channel: 'chat', message: 1 } }, 401, 'SERVICE_TOKEN_REQUIRED'],
      ['unknown channel', { token, body: { channel: 'nope', message: 1 } }, 404, 'UNKNOWN_CHANNEL'],
      ['closed to clients', { token, body: { channel: 'announcements', message: 1 } }, 403, 'CHANNEL_NOT_PUBLISHABLE'],
      ['oversized', { token, body: { channel: 'chat', message: 'x'.repeat(131_072) } }, 413, 'PAYLOAD_TOO_LARGE'],
      ['bad JSON', { token, raw: '{"channel": "chat", ' }, 400, 'BAD_JSON'],
      ['no message', { token, body: { channel: 'chat' } }, 400, 'BAD_REQUEST'],
    ];
    for (const [what, init, status, code] of cases) {
      const answer = await call('/publish', init);
      expect([what, answer.status, errorCode(answer.body)]).toEqual([what, status, code]);
    }
    const badType = await call('/register', { body: { type: 'SMOKE' } });
    expect([badType.status, errorCode(badType.body)]).toEqual([400, 'BAD_REQUEST']);
    const noAdmin = await call('/admin/users');
    expect([noAdmin.status, errorCode(noAdmin.body)]).toEqual([401, 'ADMIN_TOKEN_REQUIRED']);
    const wrongAdmin = await call('/admin/users', { token });
    expect(wrongAdmin.status).toBe(401);
  });

  it('rate-limits client publishes per identity with 429 and Retry-After', async () => {
    await start();
    const a = await register('WEBSOCKET');
    const b = await register('WEBSOCKET');
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++)
      statuses.push((await call('/publish', { token: a.serviceToken, body: { channel: 'chat', message: i } })).status);
    expect(statuses.slice(0, 10).every((s) => s === 200)).toBe(true);
    const limited = await call('/publish', { token: a.serviceToken, body: { channel: 'chat', message: 'more' } });
    expect([limited.status, errorCode(limited.body)]).toEqual([429, 'RATE_LIMITED']);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // Another identity has its own bucket.
    expect((await call('/publish', { token: b.serviceToken, body: { channel: 'chat', message: 'b' } })).status).toBe(
      200,
    );
  });

  it('a validated client publish and an admin publish reach subscribers, each with a fresh message id', async () => {
    await start();
    const reg = await register('WEBSOCKET');
    // MQTT 5, so the listener sees the user properties the service stamps.
    const listener = await connectAs(reg.clientId, { protocolVersion: 5 });
    await subscribe(listener, ['webcomm/local/chat', `webcomm/local/private/client/${reg.clientId}`]);
    const chat = nextMessage(listener, (t) => t.endsWith('/chat'));
    expect(
      (await call('/publish', { token: reg.serviceToken, body: { channel: 'chat', message: { text: 'hi' } } })).status,
    ).toBe(200);
    const chatMessage = await chat;
    expect(JSON.parse(chatMessage.payload.toString())).toEqual({ text: 'hi' });
    const own = nextMessage(listener, (t) => t.includes('/private/'));
    const admin = await call('/admin/publish', {
      token: fixture.emulator.adminToken,
      body: { channel: 'private', clientId: reg.clientId, message: { gift: 1 } },
    });
    expect(admin.status).toBe(200);
    const ownMessage = await own;
    expect(JSON.parse(ownMessage.payload.toString())).toEqual({ gift: 1 });
    const ids = [chatMessage, ownMessage].map((message) => stampedMessageId(message.packet as IPublishPacket));
    expect(ids.every((id) => typeof id === 'string' && id.length >= 16)).toBe(true);
    expect(ids[0]).not.toBe(ids[1]);
    const needsId = await call('/admin/publish', {
      token: fixture.emulator.adminToken,
      body: { channel: 'private', message: 1 },
    });
    expect([needsId.status, errorCode(needsId.body)]).toEqual([400, 'CLIENT_ID_REQUIRED']);
    listener.end(true);
  });

  it('a ban disconnects the live client within a second and refuses it everywhere as "not authorized"', async () => {
    await start();
    const reg = await register('WEBSOCKET');
    const live = await connectAs(reg.clientId);
    const gone = closed(live);
    const bannedAt = Date.now();
    const ban = await call(`/admin/users/${encodeURIComponent(reg.clientId)}/status`, {
      method: 'PUT',
      token: fixture.emulator.adminToken,
      body: { status: 'banned' },
    });
    expect(ban.status).toBe(200);
    expect((ban.body as { disconnected: number }).disconnected).toBe(1);
    await gone;
    expect(Date.now() - bannedAt).toBeLessThan(1_000);
    const refused = await refusedAs(reg.clientId);
    expect(refused.code).toBe(5);
    const again = await call('/register', {
      body: { type: 'WEBSOCKET', clientId: reg.clientId },
      token: reg.serviceToken,
    });
    expect([again.status, errorCode(again.body)]).toEqual([403, 'BANNED']);
    const publish = await call('/publish', { token: reg.serviceToken, body: { channel: 'chat', message: 1 } });
    expect([publish.status, errorCode(publish.body)]).toEqual([403, 'BANNED']);
    const unban = await call(`/admin/users/${encodeURIComponent(reg.clientId)}/status`, {
      method: 'PUT',
      token: fixture.emulator.adminToken,
      body: { status: 'active' },
    });
    expect(unban.status).toBe(200);
    const back = await connectAs(reg.clientId);
    back.end(true);
  });

  it('a restart keeps users, their status, the channels and service tokens', async () => {
    await start();
    const a = await register('WEBSOCKET');
    const b = await register('OPENSSL');
    await call(`/admin/users/${encodeURIComponent(b.clientId)}/status`, {
      method: 'PUT',
      token: fixture.emulator.adminToken,
      body: { status: 'banned' },
    });
    const channelsFile = join(fixture.emulator.dataDir, 'channels.json');
    const config = JSON.parse(await readFile(channelsFile, 'utf8')) as { channels: unknown[] };
    expect(config.channels.length).toBe(5);
    await fixture.restart({ users: undefined, channels: undefined });
    const users = (await call('/admin/users', { token: fixture.emulator.adminToken })).body as { users: UserRecord[] };
    const byId = new Map(users.users.map((u) => [u.id, u]));
    expect(byId.get(a.clientId)?.status).toBe('active');
    expect(byId.get(a.clientId)?.kind).toBe('WEBSOCKET');
    expect(byId.get(b.clientId)?.status).toBe('banned');
    const channels = await call('/channels', { token: a.serviceToken });
    expect(channels.status).toBe(200);
    expect((channels.body as { channels: { name: string }[] }).channels.map((c) => c.name)).toEqual([
      'announcements',
      'content-updates',
      'chat',
      'private',
      'tools',
    ]);
    const refused = await refusedAs(b.clientId);
    expect(refused.code).toBe(5);
  });
});
