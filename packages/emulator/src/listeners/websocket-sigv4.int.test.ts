import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CognitoIdentityClient, GetCredentialsForIdentityCommand, GetIdCommand } from '@aws-sdk/client-cognito-identity';
import type { MqttClient } from 'mqtt';
import type { EmulatorFixture } from '../../testing/emulator-fixture.js';
import { startFixture } from '../../testing/emulator-fixture.js';
import { ManualClock } from '../../testing/manual-clock.js';
import { connect, connectRefused, end, nextMessage, subscribe } from '../../testing/mqtt-helpers.js';
import type { TestCredentials } from '../../testing/presign.js';
import { presignMqttUrl } from '../../testing/presign.js';
import { upgradeRefusal } from '../../testing/ws-refusal.js';

let fixture: EmulatorFixture;
let clock: ManualClock;
const clients: MqttClient[] = [];

async function guest(): Promise<{ identityId: string; credentials: TestCredentials }> {
  const cognito = new CognitoIdentityClient({ region: fixture.emulator.region, endpoint: fixture.emulator.endpoints.cognito });
  const { IdentityId } = await cognito.send(new GetIdCommand({ IdentityPoolId: fixture.emulator.identityPoolId }));
  const { Credentials } = await cognito.send(new GetCredentialsForIdentityCommand({ IdentityId }));
  cognito.destroy();
  if (IdentityId === undefined || Credentials?.AccessKeyId === undefined || Credentials.SecretKey === undefined || Credentials.SessionToken === undefined) {
    throw new Error('incomplete Cognito answer');
  }
  return { identityId: IdentityId, credentials: { accessKeyId: Credentials.AccessKeyId, secretAccessKey: Credentials.SecretKey, sessionToken: Credentials.SessionToken } };
}

function sign(url: string, credentials: TestCredentials, tokenMode: 'appended' | 'signed' = 'appended', extra: { signHostWithPort?: boolean } = {}): Promise<string> {
  return presignMqttUrl(url, credentials, { region: fixture.emulator.region, tokenMode, signingDate: new Date(clock.now()), ...extra });
}

function refusalLogged(check: string): boolean {
  return fixture.logs.some((line) => line.includes('upgrade refused (403') && line.includes(check));
}

beforeEach(async () => {
  clock = new ManualClock();
  fixture = await startFixture({ clock, credentialTtlMs: 120_000 });
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
  await fixture.close();
});

describe('SigV4 presigned WebSocket URLs', () => {
  for (const tokenMode of ['appended', 'signed'] as const) {
    for (const secure of [false, true]) {
      it(`accepts a ${secure ? 'wss' : 'ws'} URL with the session token ${tokenMode}`, async () => {
        const { identityId, credentials } = await guest();
        const url = await sign(secure ? fixture.emulator.endpoints.wss : fixture.emulator.endpoints.ws, credentials, tokenMode);
        const client = await connect(url, { clientId: identityId, ca: fixture.emulator.caPem, protocolVersion: 4 });
        clients.push(client);
        await subscribe(client, `game/private/${identityId}`);
        const message = nextMessage(client);
        await fixture.emulator.broker.publish(`game/private/${identityId}`, Buffer.from('hello'));
        expect((await message).payload.toString()).toBe('hello');
        await end(client);
      });
    }
  }

  it('accepts the host signed without its port (aws-crt style)', async () => {
    const { identityId, credentials } = await guest();
    const url = await sign(fixture.emulator.endpoints.ws, credentials, 'appended', { signHostWithPort: false });
    clients.push(await connect(url, { clientId: identityId }));
  });

  it('refuses a wrong signature with 403 {message, traceId} and logs the check without secrets', async () => {
    const { credentials } = await guest();
    const url = await sign(fixture.emulator.endpoints.ws, credentials);
    const signature = /X-Amz-Signature=([0-9a-f]+)/.exec(url)?.[1] ?? '';
    const tampered = url.replace(`X-Amz-Signature=${signature}`, `X-Amz-Signature=${signature.slice(0, -1)}${signature.endsWith('0') ? '1' : '0'}`);
    const refusal = await upgradeRefusal(tampered);
    expect(refusal.status).toBe(403);
    expect(refusal.body.message).toBe('Forbidden');
    expect(refusal.body.traceId).toMatch(/^[0-9a-f-]{36}$/);
    expect(refusalLogged('bad-signature')).toBe(true);
    expect(fixture.logs.some((line) => line.includes(refusal.body.traceId ?? '?'))).toBe(true);
    const all = fixture.logs.join('\n');
    for (const secret of [signature, credentials.secretAccessKey, credentials.sessionToken, encodeURIComponent(credentials.sessionToken)]) expect(all).not.toContain(secret);
  });

  it('refuses an unknown access key', async () => {
    const { credentials } = await guest();
    const url = await sign(fixture.emulator.endpoints.ws, { ...credentials, accessKeyId: 'ASIANOTISSUEDBYUS00' });
    expect((await upgradeRefusal(url)).status).toBe(403);
    expect(refusalLogged('unknown-access-key')).toBe(true);
  });

  it('refuses a wrong session token', async () => {
    const { credentials } = await guest();
    const url = await sign(fixture.emulator.endpoints.ws, { ...credentials, sessionToken: 'not-the-token' });
    expect((await upgradeRefusal(url)).status).toBe(403);
    expect(refusalLogged('bad-session-token')).toBe(true);
  });

  it('refuses a URL older than 15 minutes', async () => {
    const { credentials } = await guest();
    const url = await sign(fixture.emulator.endpoints.ws, credentials);
    // Checked before the credentials' own expiry, so the log names the URL's age.
    clock.advance(15 * 60_000 + 1_000);
    expect((await upgradeRefusal(url)).status).toBe(403);
    expect(refusalLogged('url-expired')).toBe(true);
  });

  it('refuses expired credentials even with a fresh signature', async () => {
    const { credentials } = await guest();
    clock.advance(121_000);
    const url = await sign(fixture.emulator.endpoints.ws, credentials);
    expect((await upgradeRefusal(url)).status).toBe(403);
    expect(refusalLogged('expired-credentials')).toBe(true);
  });

  it('refuses a credential scope for another service or region', async () => {
    const { credentials } = await guest();
    const url = (await sign(fixture.emulator.endpoints.ws, credentials)).replace('iotdevicegateway', 'execute-api');
    expect((await upgradeRefusal(url)).status).toBe(403);
    expect(refusalLogged('bad-credential-scope')).toBe(true);
  });

  it('refuses a client id other than the identity id with CONNACK 5', async () => {
    const { credentials } = await guest();
    const url = await sign(fixture.emulator.endpoints.ws, credentials);
    expect((await connectRefused(url, { clientId: 'someone-else' })).code).toBe(5);
  });

  it('refuses a ws or wss connection without credentials (CONNACK 5): anonymous access is off by default', async () => {
    expect((await connectRefused(fixture.emulator.endpoints.wss, { clientId: 'anon', ca: fixture.emulator.caPem })).code).toBe(5);
    expect((await connectRefused(fixture.emulator.endpoints.ws, { clientId: 'anon' })).code).toBe(5);
  });

  it('answers 404 {message, traceId} on another path', async () => {
    const refusal = await upgradeRefusal(fixture.emulator.endpoints.ws.replace('/mqtt', '/other'));
    expect(refusal.status).toBe(404);
    expect(refusal.body.traceId).toBeDefined();
  });
});
