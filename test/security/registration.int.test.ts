/**
 * Issue 13 items 4 and 5: registration. Concurrent registrations of one new client id give one
 * identity (they gave 4 of 20); a flood from one address gets 429 with Retry-After (1,000 in a row
 * all succeeded); certificates come from the operator, not from anyone who asks.
 */
import { request as httpRequest } from 'node:http';
import type { RegistrationResponse } from '@webcomm/core';
import mqtt, { type MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { callApi, startDefaultEmulator, type SecurityEmulator } from '../helpers/security-emulator.js';

let running: SecurityEmulator | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

/** POST /register from a chosen local address (all of 127/8 reaches the emulator on Linux). */
function registerFrom(localAddress: string, port: number, body: object): Promise<number> {
  return new Promise((resolve, reject) => {
    const text = JSON.stringify(body);
    const request = httpRequest(
      {
        host: '127.0.0.1',
        port,
        localAddress,
        method: 'POST',
        path: '/register',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) },
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      },
    );
    request.on('error', reject);
    request.end(text);
  });
}

describe('registration races', () => {
  it('20 concurrent registrations of one new client id give exactly one working identity', async () => {
    running = await startDefaultEmulator();
    const { emulator } = running;
    const answers = await Promise.all(
      Array.from({ length: 20 }, () =>
        callApi(emulator, '/register', { body: { type: 'WEBSOCKET', clientId: 'local-1:race-1' } }),
      ),
    );
    const accepted = answers.filter((answer) => answer.status === 200);
    const refusals = answers.filter((answer) => answer.status !== 200).map((answer) => answer.body.error?.code);
    expect(accepted.length).toBe(1);
    expect(new Set(refusals)).toEqual(new Set(['IDENTITY_TAKEN']));
    // "Working" means the service token is accepted: count them.
    let working = 0;
    for (const answer of accepted)
      if ((await callApi(emulator, '/channels', { token: String(answer.body.serviceToken) })).status === 200) working++;
    expect(working).toBe(1);
    const users = await callApi(emulator, '/admin/users', { token: emulator.adminToken });
    expect((users.body.users as { id: string }[]).filter((user) => user.id === 'local-1:race-1').length).toBe(1);
    console.info(`registration race: ${accepted.length} of 20 accepted, ${working} working identity`);
  });

  it('concurrent re-registrations with the owner token all succeed, one after another', async () => {
    running = await startDefaultEmulator();
    const { emulator } = running;
    const first = (await callApi(emulator, '/register', { body: { type: 'WEBSOCKET' } }))
      .body as unknown as RegistrationResponse;
    const again = await Promise.all(
      Array.from({ length: 5 }, () =>
        callApi(emulator, '/register', {
          token: first.serviceToken,
          body: { type: 'WEBSOCKET', clientId: first.clientId },
        }),
      ),
    );
    expect(again.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200]);
  });
});

describe('registration floods', () => {
  it('1,000 registrations in a row from one address: the burst passes, the rest get 429 RATE_LIMITED with Retry-After', async () => {
    running = await startDefaultEmulator();
    const { emulator } = running;
    const started = Date.now();
    let accepted = 0;
    let limited = 0;
    let retryAfter = 0;
    for (let i = 0; i < 1_000; i++) {
      const answer = await callApi(emulator, '/register', { body: { type: 'WEBSOCKET' } });
      if (answer.status === 200) accepted++;
      if (answer.status === 429) {
        limited++;
        expect(answer.body.error?.code).toBe('RATE_LIMITED');
        retryAfter = Number(answer.headers.get('retry-after'));
      }
    }
    const seconds = (Date.now() - started) / 1000;
    console.info(`registration flood: ${accepted} accepted, ${limited} refused with 429 in ${seconds.toFixed(1)} s`);
    // 20 at once, then 1 a second.
    expect(accepted).toBeLessThanOrEqual(20 + Math.ceil(seconds) + 1);
    expect(accepted + limited).toBe(1_000);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    // Another address has its own bucket; the operator (admin token) is never limited.
    expect(await registerFrom('127.0.0.2', emulator.endpoints.ports.http, { type: 'WEBSOCKET' })).toBe(200);
    expect(
      (await callApi(emulator, '/register', { token: emulator.adminToken, body: { type: 'WEBSOCKET' } })).status,
    ).toBe(200);
  });
});

/** Connects over mutual TLS with a registration's certificate; resolves on CONNACK. */
function connectWith(registration: RegistrationResponse, port: number): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const client = mqtt.connect(`mqtts://127.0.0.1:${port}`, {
      clientId: registration.clientId,
      cert: registration.certificatePem,
      key: registration.privateKeyPem,
      ca: registration.caPem,
      servername: 'localhost',
      reconnectPeriod: 0,
      connectTimeout: 5_000,
      protocolVersion: 4,
    });
    client.once('connect', () => resolve(client));
    client.once('error', reject);
  });
}

/** Publishes at QoS 1: resolves "delivered" on PUBACK, "disconnected" when the broker drops the link for it (IoT Core over MQTT 3.1.1). */
function publishOutcome(client: MqttClient, topic: string): Promise<'delivered' | 'disconnected'> {
  return new Promise((resolve) => {
    client.once('close', () => resolve('disconnected'));
    client.publish(topic, '{"kind":"asset-saved"}', { qos: 1 }, (error) => {
      if (error === undefined || error === null) resolve('delivered');
    });
  });
}

describe('certificates come from the operator', () => {
  it('refuses an unauthenticated OPENSSL registration (403 CERTIFICATE_REGISTRATION_CLOSED); the admin token gets one', async () => {
    running = await startDefaultEmulator();
    const { emulator } = running;
    const anonymous = await callApi(emulator, '/register', { body: { type: 'OPENSSL' } });
    expect([anonymous.status, anonymous.body.error?.code]).toEqual([403, 'CERTIFICATE_REGISTRATION_CLOSED']);
    const named = await callApi(emulator, '/register', { body: { type: 'OPENSSL', clientId: 'editor-1' } });
    expect(named.status).toBe(403);
    const operator = await callApi(emulator, '/register', { token: emulator.adminToken, body: { type: 'OPENSSL' } });
    expect(operator.status).toBe(200);
    expect(String(operator.body.certificatePem)).toMatch(/BEGIN CERTIFICATE/);
    // The owner renews its own certificate with its service token.
    const renewed = await callApi(emulator, '/register', {
      token: String(operator.body.serviceToken),
      body: { type: 'OPENSSL', clientId: operator.body.clientId },
    });
    expect(renewed.status).toBe(200);
  });

  it('a certificate grants no direct publish: only an explicit grant per identity and channel does', async () => {
    running = await startDefaultEmulator({ certificateSelfRegistration: true });
    const { emulator } = running;
    const port = emulator.endpoints.ports.mqtts;
    // Opened by the operator: anyone may get a certificate, and still may not publish with it.
    const self = (await callApi(emulator, '/register', { body: { type: 'OPENSSL' } }))
      .body as unknown as RegistrationResponse;
    expect(self.brokerPublish).toBeUndefined();
    expect(await publishOutcome(await connectWith(self, port), 'webcomm/local/tools')).toBe('disconnected');
    expect(running.refusals).toEqual([
      expect.objectContaining({
        action: 'publish',
        reason: 'policy-denied',
        clientId: self.clientId,
        topic: 'webcomm/local/tools',
        linkKept: false,
      }),
    ]);

    // Only the operator may grant, and only on channels that allow it.
    const asked = await callApi(emulator, '/register', { body: { type: 'OPENSSL', publish: ['tools'] } });
    expect([asked.status, asked.body.error?.code]).toEqual([401, 'ADMIN_TOKEN_REQUIRED']);
    const notGrantable = await callApi(emulator, '/register', {
      token: emulator.adminToken,
      body: { type: 'OPENSSL', publish: ['announcements'] },
    });
    expect([notGrantable.status, notGrantable.body.error?.code]).toEqual([400, 'CHANNEL_NOT_GRANTABLE']);
    const tool = (
      await callApi(emulator, '/register', {
        token: emulator.adminToken,
        body: { type: 'OPENSSL', publish: ['tools'] },
      })
    ).body as unknown as RegistrationResponse;
    expect(tool.brokerPublish).toEqual(['tools']);
    const toolLink = await connectWith(tool, port);
    expect(await publishOutcome(toolLink, 'webcomm/local/tools')).toBe('delivered');
    expect(await publishOutcome(toolLink, 'webcomm/local/announcements')).toBe('disconnected');

    // The operator revokes the grant: the live link is dropped, and the next one may not publish.
    const again = await connectWith(tool, port);
    const dropped = new Promise<void>((resolve) => again.once('close', () => resolve()));
    const revoke = await callApi(emulator, `/admin/users/${encodeURIComponent(tool.clientId)}/publish`, {
      method: 'PUT',
      token: emulator.adminToken,
      body: { channels: [] },
    });
    expect([revoke.status, revoke.body.disconnected]).toEqual([200, 1]);
    await dropped;
    expect(await publishOutcome(await connectWith(tool, port), 'webcomm/local/tools')).toBe('disconnected');
  });

  it('a WEBSOCKET identity cannot turn itself into an OPENSSL one (409 CONNECTION_TYPE_FIXED), even with self-registration open', async () => {
    running = await startDefaultEmulator({ certificateSelfRegistration: true });
    const { emulator } = running;
    const player = (await callApi(emulator, '/register', { body: { type: 'WEBSOCKET' } }))
      .body as unknown as RegistrationResponse;
    const turned = await callApi(emulator, '/register', {
      token: player.serviceToken,
      body: { type: 'OPENSSL', clientId: player.clientId },
    });
    expect([turned.status, turned.body.error?.code]).toEqual([409, 'CONNECTION_TYPE_FIXED']);
    expect(turned.body.certificatePem).toBeUndefined();
    const users = (await callApi(emulator, '/admin/users', { token: emulator.adminToken })).body.users as {
      id: string;
      kind: string;
    }[];
    expect(users.find((user) => user.id === player.clientId)?.kind).toBe('WEBSOCKET');
  });
});
