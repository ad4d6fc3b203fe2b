import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CognitoIdentityClient,
  GetCredentialsForIdentityCommand,
  GetIdCommand,
} from '@aws-sdk/client-cognito-identity';
import type { EmulatorFixture } from '../../testing/emulator-fixture.js';
import { startFixture } from '../../testing/emulator-fixture.js';
import { ManualClock } from '../../testing/manual-clock.js';
import { MemoryUsers } from '../../testing/memory-service.js';
import { connect } from '../../testing/mqtt-helpers.js';
import { presignMqttUrl } from '../../testing/presign.js';
import { upgradeRefusal } from '../../testing/ws-refusal.js';

let fixture: EmulatorFixture;
let cognito: CognitoIdentityClient;
let clock: ManualClock;
let users: MemoryUsers;

beforeEach(async () => {
  clock = new ManualClock();
  users = new MemoryUsers();
  fixture = await startFixture({ clock, users });
  cognito = new CognitoIdentityClient({
    region: fixture.emulator.region,
    endpoint: fixture.emulator.endpoints.cognito,
  });
});

afterEach(async () => {
  cognito.destroy();
  await fixture.close();
});

const poolId = (): string => fixture.emulator.identityPoolId;

describe('Cognito Identity endpoint (real @aws-sdk/client-cognito-identity)', () => {
  it('gives a guest an identity and 1 h credentials by default', async () => {
    const { IdentityId } = await cognito.send(new GetIdCommand({ IdentityPoolId: poolId() }));
    expect(IdentityId).toMatch(/^local-1:[0-9a-f-]{36}$/);
    const { Credentials, IdentityId: same } = await cognito.send(new GetCredentialsForIdentityCommand({ IdentityId }));
    expect(same).toBe(IdentityId);
    expect(Credentials?.AccessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(Credentials?.SecretKey?.length).toBeGreaterThan(20);
    expect(Credentials?.SessionToken?.length).toBeGreaterThan(20);
    expect(Credentials?.Expiration).toBeInstanceOf(Date);
    expect(Math.round(((Credentials?.Expiration?.getTime() ?? 0) - clock.now()) / 1000)).toBe(3600);
  });

  it('issues credentials that expire after credentialTtlMs when set short', async () => {
    await fixture.restart({ clock, users, credentialTtlMs: 5_000 });
    cognito.destroy();
    cognito = new CognitoIdentityClient({
      region: fixture.emulator.region,
      endpoint: fixture.emulator.endpoints.cognito,
    });
    const { IdentityId } = await cognito.send(new GetIdCommand({ IdentityPoolId: poolId() }));
    const { Credentials } = await cognito.send(new GetCredentialsForIdentityCommand({ IdentityId }));
    expect((Credentials?.Expiration?.getTime() ?? 0) - clock.now()).toBe(5_000);
    const credentials = {
      accessKeyId: Credentials?.AccessKeyId ?? '',
      secretAccessKey: Credentials?.SecretKey ?? '',
      sessionToken: Credentials?.SessionToken ?? '',
    };
    clock.advance(5_001);
    const url = await presignMqttUrl(fixture.emulator.endpoints.ws, credentials, {
      region: fixture.emulator.region,
      tokenMode: 'appended',
      signingDate: new Date(clock.now()),
    });
    expect((await upgradeRefusal(url)).status).toBe(403);
  });

  it('binds developer Logins to one identity and requires them for credentials', async () => {
    const Logins = { 'login.webcomm.dev': 'player-42' };
    const first = await cognito.send(new GetIdCommand({ IdentityPoolId: poolId(), Logins }));
    const second = await cognito.send(new GetIdCommand({ IdentityPoolId: poolId(), Logins }));
    expect(second.IdentityId).toBe(first.IdentityId);
    const guest = await cognito.send(new GetIdCommand({ IdentityPoolId: poolId() }));
    expect(guest.IdentityId).not.toBe(first.IdentityId);
    const ok = await cognito.send(new GetCredentialsForIdentityCommand({ IdentityId: first.IdentityId, Logins }));
    expect(ok.Credentials?.AccessKeyId).toBeDefined();
    await expect(
      cognito.send(new GetCredentialsForIdentityCommand({ IdentityId: first.IdentityId })),
    ).rejects.toMatchObject({ name: 'NotAuthorizedException' });
    await expect(
      cognito.send(
        new GetCredentialsForIdentityCommand({
          IdentityId: first.IdentityId,
          Logins: { 'login.webcomm.dev': 'player-43' },
        }),
      ),
    ).rejects.toMatchObject({ name: 'NotAuthorizedException' });
  });

  it('refuses an unknown pool or identity with ResourceNotFoundException', async () => {
    await expect(cognito.send(new GetIdCommand({ IdentityPoolId: 'local-1:other-pool' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    await expect(
      cognito.send(
        new GetCredentialsForIdentityCommand({ IdentityId: 'local-1:00000000-0000-0000-0000-000000000000' }),
      ),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('refuses credentials to a banned identity (NotAuthorizedException)', async () => {
    const { IdentityId } = await cognito.send(new GetIdCommand({ IdentityPoolId: poolId() }));
    await users.setStatus(IdentityId ?? '', 'banned');
    await expect(cognito.send(new GetCredentialsForIdentityCommand({ IdentityId }))).rejects.toMatchObject({
      name: 'NotAuthorizedException',
    });
  });

  it('serves identities created by the service (ensureIdentity), and revokeIdentity invalidates their credentials', async () => {
    const identityId = await fixture.emulator.identities.ensureIdentity('local-1:registered-player');
    // Developer-authenticated: its id alone gets nothing; its OpenID token does.
    await expect(cognito.send(new GetCredentialsForIdentityCommand({ IdentityId: identityId }))).rejects.toMatchObject({
      name: 'NotAuthorizedException',
    });
    const Logins = { 'cognito-identity.amazonaws.com': fixture.emulator.identities.openIdToken(identityId).token };
    const { Credentials } = await cognito.send(
      new GetCredentialsForIdentityCommand({ IdentityId: identityId, Logins }),
    );
    const credentials = {
      accessKeyId: Credentials?.AccessKeyId ?? '',
      secretAccessKey: Credentials?.SecretKey ?? '',
      sessionToken: Credentials?.SessionToken ?? '',
    };
    const sign = () =>
      presignMqttUrl(fixture.emulator.endpoints.ws, credentials, {
        region: fixture.emulator.region,
        tokenMode: 'appended',
        signingDate: new Date(clock.now()),
      });
    const client = await connect(await sign(), { clientId: identityId });
    await client.endAsync();
    await fixture.emulator.identities.revokeIdentity(identityId);
    const refusal = await upgradeRefusal(await sign());
    expect(refusal.status).toBe(403);
    expect(fixture.refusals).toEqual([
      expect.objectContaining({ action: 'upgrade', reason: 'unknown-access-key', traceId: refusal.body.traceId }),
    ]);
  });
});

describe('restart with the same data directory', () => {
  it('keeps the CA, issued certificates and identities with their credentials', async () => {
    const { IdentityId } = await cognito.send(new GetIdCommand({ IdentityPoolId: poolId() }));
    const { Credentials } = await cognito.send(new GetCredentialsForIdentityCommand({ IdentityId }));
    const issued = await fixture.emulator.ca.issueClientCertificate('device-1');
    await fixture.emulator.ca.revokeClient('device-1');
    const kept = await fixture.emulator.ca.issueClientCertificate('device-2');
    const caPem = fixture.emulator.caPem;
    const adminToken = fixture.emulator.adminToken;

    const again = await fixture.restart();
    expect(again.caPem).toBe(caPem);
    expect(again.adminToken).toBe(adminToken);
    expect(again.ca.isRevoked(issued.serialNumber)).toBe(true);
    cognito.destroy();
    cognito = new CognitoIdentityClient({ region: again.region, endpoint: again.endpoints.cognito });
    const refreshed = await cognito.send(new GetCredentialsForIdentityCommand({ IdentityId }));
    expect(refreshed.IdentityId).toBe(IdentityId);
    const credentials = {
      accessKeyId: Credentials?.AccessKeyId ?? '',
      secretAccessKey: Credentials?.SecretKey ?? '',
      sessionToken: Credentials?.SessionToken ?? '',
    };
    const url = await presignMqttUrl(again.endpoints.ws, credentials, {
      region: again.region,
      tokenMode: 'appended',
      signingDate: new Date(clock.now()),
    });
    const client = await connect(url, { clientId: IdentityId ?? '' });
    await client.endAsync();
    const device = await connect(again.endpoints.mqtts, {
      clientId: 'device-2',
      ca: again.caPem,
      cert: kept.certificatePem,
      key: kept.privateKeyPem,
    });
    await device.endAsync();
  });
});
