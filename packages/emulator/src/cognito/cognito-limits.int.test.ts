/**
 * The Cognito endpoint cannot grow the data directory without bound: `GetId` is rate-limited per
 * source address (each guest GetId stores an identity: 2,000 in 10 s grew it by 920 KiB before),
 * stale guest identities are purged, and the number of guests is capped. Counted, not timed.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CognitoIdentityClient,
  GetCredentialsForIdentityCommand,
  GetIdCommand,
} from '@aws-sdk/client-cognito-identity';
import { afterEach, describe, expect, it } from 'vitest';
import type { EmulatorFixture } from '../../testing/emulator-fixture.js';
import { startFixture } from '../../testing/emulator-fixture.js';
import { ManualClock } from '../../testing/manual-clock.js';
import { StateStore } from '../store/state-store.js';
import { GET_ID_RATE_LIMIT } from './cognito-routes.js';
import { GuestIdentitiesFull, LocalIdentityIssuer } from './local-identity-issuer.js';
import { OpenIdTokens } from './openid-tokens.js';

let fixture: EmulatorFixture | undefined;
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await fixture?.close();
  fixture = undefined;
});

async function getId(f: EmulatorFixture): Promise<{ status: number; type?: string }> {
  const response = await fetch(f.emulator.endpoints.cognito, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSCognitoIdentityService.GetId' },
    body: JSON.stringify({ IdentityPoolId: f.emulator.identityPoolId }),
  });
  const body = (await response.json()) as { __type?: string };
  return { status: response.status, ...(body.__type === undefined ? {} : { type: body.__type }) };
}

const issuerOf = (f: EmulatorFixture): LocalIdentityIssuer => f.emulator.identities as LocalIdentityIssuer;

describe('Cognito stays bounded', () => {
  it(`GetId: ${GET_ID_RATE_LIMIT.burst} at once per address, then ${GET_ID_RATE_LIMIT.perSecond}/s (429 TooManyRequestsException)`, async () => {
    const clock = new ManualClock();
    fixture = await startFixture({ clock });
    const outcomes = new Map<string, number>();
    for (let i = 0; i < 200; i += 1) {
      const { status, type } = await getId(fixture);
      const key = `${status} ${type ?? ''}`.trim();
      outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
    }
    expect(Object.fromEntries(outcomes)).toEqual({ '200': 50, '429 TooManyRequestsException': 150 });
    expect(await issuerOf(fixture).guestCount()).toBe(50);
    clock.advance(1_000);
    expect((await getId(fixture)).status).toBe(200);
    // AWS's own client sees Cognito's throttling error.
    const cognito = new CognitoIdentityClient({
      region: fixture.emulator.region,
      endpoint: fixture.emulator.endpoints.cognito,
      maxAttempts: 1,
    });
    cleanups.push(async () => cognito.destroy());
    for (let i = 0; i < GET_ID_RATE_LIMIT.perSecond; i += 1) await getId(fixture);
    await expect(
      cognito.send(new GetIdCommand({ IdentityPoolId: fixture.emulator.identityPoolId })),
    ).rejects.toMatchObject({ name: 'TooManyRequestsException' });
  });

  it('purges guest identities older than 7 days without live credentials; a guest in use stays', async () => {
    const clock = new ManualClock();
    fixture = await startFixture({ clock });
    const cognito = new CognitoIdentityClient({
      region: fixture.emulator.region,
      endpoint: fixture.emulator.endpoints.cognito,
      maxAttempts: 1,
    });
    cleanups.push(async () => cognito.destroy());
    const ids: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const { IdentityId } = await cognito.send(new GetIdCommand({ IdentityPoolId: fixture.emulator.identityPoolId }));
      ids.push(IdentityId ?? '');
      await cognito.send(new GetCredentialsForIdentityCommand({ IdentityId }));
    }
    clock.advance(7 * 24 * 3_600_000 + 2 * 3_600_000);
    // The first guest is still in use: it just got fresh credentials.
    await cognito.send(new GetCredentialsForIdentityCommand({ IdentityId: ids[0] }));
    expect(await issuerOf(fixture).purgeStaleGuests()).toBe(2);
    expect(await issuerOf(fixture).guestCount()).toBe(1);
    await expect(cognito.send(new GetCredentialsForIdentityCommand({ IdentityId: ids[1] }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });

  it('caps the guest identities: at the cap stale ones go first, then GetId is refused', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'webcomm-guests-'));
    const store = await StateStore.open(dataDir);
    cleanups.push(async () => {
      await store.close();
      await rm(dataDir, { recursive: true, force: true });
    });
    const clock = new ManualClock();
    const identityPoolId = 'local-1:00000000-0000-4000-8000-00000000e1e1';
    const issuer = new LocalIdentityIssuer(store, {
      region: 'local-1',
      identityPoolId,
      credentialTtlMs: 3_600_000,
      clock,
      credentialKey: 'k'.repeat(32),
      openIdTokens: await OpenIdTokens.open(dataDir, { identityPoolId, ttlMs: 900_000, clock }),
      guests: { ttlMs: 60_000, max: 5 },
    });
    for (let i = 0; i < 5; i += 1) await issuer.identityFor([]);
    await expect(issuer.identityFor([])).rejects.toBeInstanceOf(GuestIdentitiesFull);
    expect(await issuer.guestCount()).toBe(5);
    clock.advance(60_000);
    await issuer.identityFor([]);
    expect(await issuer.guestCount()).toBe(1);
    // Developer-login identities are not guests and are not capped by it.
    await issuer.identityFor(['login-key']);
    expect(await issuer.guestCount()).toBe(1);
  });
});
