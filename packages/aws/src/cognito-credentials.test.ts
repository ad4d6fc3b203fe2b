import { CognitoIdentity } from '@aws-sdk/client-cognito-identity';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isWebcommError } from '@webcomm/core';
import { cognitoCredentials } from './cognito-credentials.js';
import { startCognitoStandIn, STAND_IN_POOL_ID, type CognitoStandIn } from './cognito-stand-in.fixture.js';
import { memoryStorage } from './identity-storage.js';

let aws: CognitoStandIn;
beforeEach(async () => {
  aws = await startCognitoStandIn();
});
afterEach(() => aws.close());

const actions = (): string[] => aws.calls.map((c) => c.action);

describe('cognitoCredentials against a Cognito Identity stand-in over real HTTP', () => {
  it('gets guest credentials (GetId then GetCredentialsForIdentity, no Logins) and keeps the identity across sessions', async () => {
    const storage = memoryStorage();
    const first = cognitoCredentials({ identityPoolId: STAND_IN_POOL_ID, endpoint: aws.endpoint, storage });
    const credentials = await first();
    expect(credentials).toMatchObject({ accessKeyId: 'ASIA1', secretAccessKey: 'secret1', sessionToken: 'token1' });
    expect(credentials.expiration?.getTime()).toBeGreaterThan(Date.now() + 3_500_000);
    expect(actions()).toEqual(['GetId', 'GetCredentialsForIdentity']);
    expect(aws.calls[1]?.body).toEqual({ IdentityId: await first.getIdentityId() });

    // A new page load with the same storage: same identity, no GetId.
    const second = cognitoCredentials({ identityPoolId: STAND_IN_POOL_ID, endpoint: aws.endpoint, storage });
    await second();
    expect(actions()).toEqual(['GetId', 'GetCredentialsForIdentity', 'GetCredentialsForIdentity']);
    expect(await second.getIdentityId()).toBe(await first.getIdentityId());
  });

  it('caches until the refresh margin, then refreshes; concurrent callers share one refresh', async () => {
    let offset = 0;
    const provider = cognitoCredentials({
      identityPoolId: STAND_IN_POOL_ID,
      endpoint: aws.endpoint,
      storage: memoryStorage(),
      refreshMarginMs: 5 * 60_000,
      now: () => Date.now() + offset,
    });
    const all = await Promise.all([provider(), provider(), provider(), provider()]);
    expect(new Set(all.map((c) => c.accessKeyId))).toEqual(new Set(['ASIA1']));
    offset = 50 * 60_000; // 10 minutes before expiry: still good
    expect((await provider()).accessKeyId).toBe('ASIA1');
    offset = 56 * 60_000; // inside the 5-minute margin
    const refreshed = await Promise.all([provider(), provider(), provider()]);
    expect(new Set(refreshed.map((c) => c.accessKeyId))).toEqual(new Set(['ASIA2']));
    expect(actions()).toEqual(['GetId', 'GetCredentialsForIdentity', 'GetCredentialsForIdentity']);
  });

  it('passes Logins (from a function, asked at each refresh) to both calls', async () => {
    let n = 0;
    const provider = cognitoCredentials({
      identityPoolId: STAND_IN_POOL_ID,
      endpoint: aws.endpoint,
      storage: memoryStorage(),
      logins: () => ({ 'accounts.example.com': `idtoken${++n}` }),
    });
    await provider();
    expect(aws.calls.map((c) => c.body['Logins'])).toEqual([
      { 'accounts.example.com': 'idtoken1' },
      { 'accounts.example.com': 'idtoken1' },
    ]);
  });

  it('starts a new identity when the stored one is gone', async () => {
    const storage = memoryStorage();
    await storage.setItem(`webcomm:cognito-identity-id:${STAND_IN_POOL_ID}`, 'eu-west-1:deleted');
    const provider = cognitoCredentials({ identityPoolId: STAND_IN_POOL_ID, endpoint: aws.endpoint, storage });
    expect((await provider()).accessKeyId).toBe('ASIA1');
    expect(actions()).toEqual(['GetCredentialsForIdentity', 'GetId', 'GetCredentialsForIdentity']);
    expect(await provider.getIdentityId()).not.toBe('eu-west-1:deleted');
  });

  it('turns a refusal into a fatal BAD_CREDENTIALS that says what to do', async () => {
    aws.allowGuests = false;
    const provider = cognitoCredentials({
      identityPoolId: STAND_IN_POOL_ID,
      endpoint: aws.endpoint,
      storage: memoryStorage(),
    });
    const error = await provider().catch((e: unknown) => e);
    expect(isWebcommError(error, 'WEBCOMM_BAD_CREDENTIALS')).toBe(true);
    expect((error as { fatal: boolean }).fatal).toBe(true);
    expect((error as Error).message).toMatch(/Unauthenticated access is not supported.*enabled on the pool/);
  });

  it('turns a server error into a transient NETWORK error and does not cache the failure', async () => {
    aws.failNext = 1;
    const provider = cognitoCredentials({
      identityPoolId: STAND_IN_POOL_ID,
      endpoint: aws.endpoint,
      storage: memoryStorage(),
    });
    const error = await provider().catch((e: unknown) => e);
    expect(isWebcommError(error, 'WEBCOMM_NETWORK')).toBe(true);
    expect((error as { fatal: boolean }).fatal).toBe(false);
    expect((await provider()).accessKeyId).toBe('ASIA1');
  });

  it('reports an unknown pool as a fatal INVALID_OPTION, and a malformed pool id at once', async () => {
    const provider = cognitoCredentials({
      identityPoolId: 'eu-west-1:99999999-0000-0000-0000-000000000000',
      endpoint: aws.endpoint,
      storage: memoryStorage(),
    });
    expect(isWebcommError(await provider().catch((e: unknown) => e), 'WEBCOMM_INVALID_OPTION')).toBe(true);
    expect(() => cognitoCredentials({ identityPoolId: 'nope' })).toThrow(/identityPoolId must look like/);
  });

  it("accepts the AWS SDK's CognitoIdentity client as is", async () => {
    const client = new CognitoIdentity({
      region: 'eu-west-1',
      endpoint: aws.endpoint,
      credentials: { accessKeyId: 'unused', secretAccessKey: 'unused' },
    });
    const provider = cognitoCredentials({ identityPoolId: STAND_IN_POOL_ID, client, storage: memoryStorage() });
    const credentials = await provider();
    expect(credentials.accessKeyId).toBe('ASIA1');
    expect(credentials.expiration).toBeInstanceOf(Date);
    expect(actions()).toEqual(['GetId', 'GetCredentialsForIdentity']);
  });
});
