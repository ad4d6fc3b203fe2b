import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CognitoIdentityClient,
  GetCredentialsForIdentityCommand,
  GetIdCommand,
} from '@aws-sdk/client-cognito-identity';
import type { MqttClient } from 'mqtt';
import type { EmulatorFixture } from '../../testing/emulator-fixture.js';
import { startFixture } from '../../testing/emulator-fixture.js';
import { ManualClock } from '../../testing/manual-clock.js';
import { connect, connectRefused, end, nextMessage, subscribe } from '../../testing/mqtt-helpers.js';
import type { TestCredentials } from '../../testing/presign.js';
import { presignMqttUrl } from '../../testing/presign.js';
import type { UpgradeRefusal } from '../../testing/ws-refusal.js';
import { upgradeRefusal } from '../../testing/ws-refusal.js';

let fixture: EmulatorFixture;
let clock: ManualClock;
const clients: MqttClient[] = [];

async function guest(): Promise<{ identityId: string; credentials: TestCredentials }> {
  const cognito = new CognitoIdentityClient({
    region: fixture.emulator.region,
    endpoint: fixture.emulator.endpoints.cognito,
  });
  const { IdentityId } = await cognito.send(new GetIdCommand({ IdentityPoolId: fixture.emulator.identityPoolId }));
  const { Credentials } = await cognito.send(new GetCredentialsForIdentityCommand({ IdentityId }));
  cognito.destroy();
  if (
    IdentityId === undefined ||
    Credentials?.AccessKeyId === undefined ||
    Credentials.SecretKey === undefined ||
    Credentials.SessionToken === undefined
  ) {
    throw new Error('incomplete Cognito answer');
  }
  return {
    identityId: IdentityId,
    credentials: {
      accessKeyId: Credentials.AccessKeyId,
      secretAccessKey: Credentials.SecretKey,
      sessionToken: Credentials.SessionToken,
    },
  };
}

function sign(
  url: string,
  credentials: TestCredentials,
  tokenMode: 'appended' | 'signed' = 'appended',
  extra: { signHostWithPort?: boolean; expiresIn?: number; alsoSign?: Record<string, string> } = {},
): Promise<string> {
  return presignMqttUrl(url, credentials, {
    region: fixture.emulator.region,
    tokenMode,
    signingDate: new Date(clock.now()),
    ...extra,
  });
}

/** The reason the emulator gives for the refusal this client got, found by the body's traceId. */
function reasonOf(refusal: UpgradeRefusal): string | undefined {
  expect(refusal.status).toBe(403);
  const found = fixture.refusals.filter((r) => r.action === 'upgrade' && r.traceId === refusal.body.traceId);
  expect(found).toHaveLength(1);
  return found[0]?.reason;
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
        const url = await sign(
          secure ? fixture.emulator.endpoints.wss : fixture.emulator.endpoints.ws,
          credentials,
          tokenMode,
        );
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

  it('accepts any signed-header list that includes host, checked against the headers the upgrade carries (aws-crt signs connection;host)', async () => {
    const { identityId, credentials } = await guest();
    const url = await sign(fixture.emulator.endpoints.ws, credentials, 'appended', {
      signHostWithPort: false,
      alsoSign: { connection: 'Upgrade' },
    });
    expect(new URL(url).searchParams.get('X-Amz-SignedHeaders')).toBe('connection;host');
    clients.push(await connect(url, { clientId: identityId }));
  });

  it('refuses a signed-header list without host, or naming a header the upgrade lacks or carries otherwise', async () => {
    const { credentials } = await guest();
    const ws = fixture.emulator.endpoints.ws;
    const withoutHost = (await sign(ws, credentials)).replace(
      'X-Amz-SignedHeaders=host',
      'X-Amz-SignedHeaders=connection',
    );
    expect(reasonOf(await upgradeRefusal(withoutHost))).toBe('bad-signed-headers');
    const absent = await sign(ws, credentials, 'appended', { alsoSign: { 'x-not-sent': '1' } });
    expect(reasonOf(await upgradeRefusal(absent))).toBe('bad-signed-headers');
    const otherValue = await sign(ws, credentials, 'appended', { alsoSign: { connection: 'close' } });
    expect(reasonOf(await upgradeRefusal(otherValue))).toBe('bad-signature');
  });

  it('accepts the backend credentials (no session token) as any client id; refuses them with a wrong secret or a token', async () => {
    const backend = fixture.emulator.backendCredentials;
    const asBackend = (secretAccessKey: string, sessionToken?: string): Promise<string> =>
      sign(
        fixture.emulator.endpoints.ws,
        { accessKeyId: backend.accessKeyId, secretAccessKey, sessionToken } as never,
        'signed',
      );
    const client = await connect(await asBackend(backend.secretAccessKey), { clientId: 'operator-tool' });
    clients.push(client);
    expect(await subscribe(client, '$aws/events/presence/+/+')).toEqual([0]);
    expect(reasonOf(await upgradeRefusal(await asBackend(`x${backend.secretAccessKey.slice(1)}`)))).toBe(
      'bad-signature',
    );
    expect(reasonOf(await upgradeRefusal(await asBackend(backend.secretAccessKey, 'a-token')))).toBe(
      'unknown-access-key',
    );
  });

  it('refuses a wrong signature with 403 {message, traceId}; the refusal names the check, and neither it nor the log holds a secret', async () => {
    const { credentials } = await guest();
    const url = await sign(fixture.emulator.endpoints.ws, credentials);
    const signature = /X-Amz-Signature=([0-9a-f]+)/.exec(url)?.[1] ?? '';
    const tampered = url.replace(
      `X-Amz-Signature=${signature}`,
      `X-Amz-Signature=${signature.slice(0, -1)}${signature.endsWith('0') ? '1' : '0'}`,
    );
    const refusal = await upgradeRefusal(tampered);
    expect(refusal.status).toBe(403);
    expect(refusal.body.message).toBe('Forbidden');
    expect(refusal.body.traceId).toMatch(/^[0-9a-f-]{36}$/);
    expect(reasonOf(refusal)).toBe('bad-signature');
    expect(fixture.refusals[0]).toMatchObject({ transport: 'ws', status: 403, linkKept: false });
    const all = `${fixture.logs.join('\n')}\n${JSON.stringify(fixture.refusals)}`;
    for (const secret of [
      signature,
      credentials.secretAccessKey,
      credentials.sessionToken,
      encodeURIComponent(credentials.sessionToken),
    ])
      expect(all).not.toContain(secret);
  });

  it('refuses an unknown access key', async () => {
    const { credentials } = await guest();
    const url = await sign(fixture.emulator.endpoints.ws, { ...credentials, accessKeyId: 'ASIANOTISSUEDBYUS00' });
    expect(reasonOf(await upgradeRefusal(url))).toBe('unknown-access-key');
  });

  it('refuses a wrong session token', async () => {
    const { credentials } = await guest();
    const url = await sign(fixture.emulator.endpoints.ws, { ...credentials, sessionToken: 'not-the-token' });
    expect(reasonOf(await upgradeRefusal(url))).toBe('bad-session-token');
  });

  it('accepts a URL exactly 15 minutes old, whatever its X-Amz-Expires; refuses it 1 ms later', async () => {
    // Credentials that outlive the URL, so the refusal is the URL's age; X-Amz-Date has whole seconds.
    await fixture.restart({ clock, credentialTtlMs: 3_600_000 });
    clock.advance(1_000 - (clock.now() % 1_000));
    const { identityId, credentials } = await guest();
    const url = await sign(fixture.emulator.endpoints.ws, credentials, 'appended', { expiresIn: 3_600 });
    clock.advance(15 * 60_000);
    const client = await connect(url, { clientId: identityId });
    await end(client);
    clock.advance(1);
    expect(reasonOf(await upgradeRefusal(url))).toBe('url-expired');
  });

  it('refuses expired credentials even with a fresh signature', async () => {
    const { credentials } = await guest();
    clock.advance(121_000);
    const url = await sign(fixture.emulator.endpoints.ws, credentials);
    expect(reasonOf(await upgradeRefusal(url))).toBe('expired-credentials');
  });

  it('refuses a credential scope for another service or region', async () => {
    const { credentials } = await guest();
    const url = (await sign(fixture.emulator.endpoints.ws, credentials)).replace('iotdevicegateway', 'execute-api');
    expect(reasonOf(await upgradeRefusal(url))).toBe('bad-credential-scope');
  });

  it('refuses a client id other than the identity id with CONNACK 5', async () => {
    const { credentials } = await guest();
    const url = await sign(fixture.emulator.endpoints.ws, credentials);
    expect((await connectRefused(url, { clientId: 'someone-else' })).code).toBe(5);
  });

  it('refuses a ws or wss connection without credentials (CONNACK 5): anonymous access is off by default', async () => {
    expect(
      (await connectRefused(fixture.emulator.endpoints.wss, { clientId: 'anon', ca: fixture.emulator.caPem })).code,
    ).toBe(5);
    expect((await connectRefused(fixture.emulator.endpoints.ws, { clientId: 'anon' })).code).toBe(5);
  });

  it('answers 404 {message, traceId} on another path', async () => {
    const refusal = await upgradeRefusal(fixture.emulator.endpoints.ws.replace('/mqtt', '/other'));
    expect(refusal.status).toBe(404);
    expect(fixture.refusals).toEqual([
      expect.objectContaining({ action: 'upgrade', reason: 'wrong-path', status: 404, traceId: refusal.body.traceId }),
    ]);
  });
});
