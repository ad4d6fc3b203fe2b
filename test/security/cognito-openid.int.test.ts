/**
 * Issue 13 item 6: registered identities are developer-authenticated, as AWS does it. A client
 * id learned from presence events (it is the identity id) gave that client's Cognito
 * credentials; now `GetCredentialsForIdentity` wants the OpenID token the registration returned
 * (`Logins["cognito-identity.amazonaws.com"]`). Checked with AWS's own
 * `@aws-sdk/client-cognito-identity`, and through `@webcomm/browser`'s `connectToService`.
 */
import {
  CognitoIdentityClient,
  GetCredentialsForIdentityCommand,
  GetIdCommand,
} from '@aws-sdk/client-cognito-identity';
import { connectToService, memoryStorage } from '@webcomm/browser';
import type { RegistrationResponse } from '@webcomm/core';
import mqtt from 'mqtt';
import { WebSocket } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '@webcomm/emulator/testing';
import { presignMqttUrl } from '../../packages/emulator/testing/presign.js';
import { callApi, startDefaultEmulator, type SecurityEmulator } from '../helpers/security-emulator.js';

const LOGIN = 'cognito-identity.amazonaws.com';
let running: SecurityEmulator | undefined;
let sdk: CognitoIdentityClient | undefined;
afterEach(async () => {
  sdk?.destroy();
  await running?.close();
  running = sdk = undefined;
});

async function start(
  options: Parameters<typeof startDefaultEmulator>[0] = {},
): Promise<{ running: SecurityEmulator; sdk: CognitoIdentityClient }> {
  running = await startDefaultEmulator(options);
  sdk = new CognitoIdentityClient({ region: running.emulator.region, endpoint: running.emulator.endpoints.cognito });
  return { running, sdk };
}

const register = async (
  emulator: SecurityEmulator['emulator'],
  body: object = { type: 'WEBSOCKET' },
  token?: string,
): Promise<RegistrationResponse> =>
  (await callApi(emulator, '/register', { body, ...(token === undefined ? {} : { token }) }))
    .body as unknown as RegistrationResponse;

describe('Cognito credentials of registered identities need their OpenID token', () => {
  it('an identity id alone gets NotAuthorizedException; the registration token gets credentials that connect', async () => {
    const { running, sdk } = await start();
    const { emulator } = running;
    const player = await register(emulator);
    expect(player.identityId).toBe(player.clientId);
    expect(player.openIdToken).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    // What anyone who saw the client id in a presence event could try:
    await expect(sdk.send(new GetCredentialsForIdentityCommand({ IdentityId: player.clientId }))).rejects.toMatchObject(
      { name: 'NotAuthorizedException' },
    );
    const other = await register(emulator);
    await expect(
      sdk.send(
        new GetCredentialsForIdentityCommand({
          IdentityId: player.clientId,
          Logins: { [LOGIN]: other.openIdToken ?? '' },
        }),
      ),
    ).rejects.toMatchObject({ name: 'NotAuthorizedException' });
    const forged = `${(player.openIdToken ?? '').split('.').slice(0, 2).join('.')}.${'A'.repeat(43)}`;
    await expect(
      sdk.send(new GetCredentialsForIdentityCommand({ IdentityId: player.clientId, Logins: { [LOGIN]: forged } })),
    ).rejects.toMatchObject({ name: 'NotAuthorizedException' });
    await expect(
      sdk.send(new GetCredentialsForIdentityCommand({ IdentityId: player.clientId, Logins: { 'login.example': 'x' } })),
    ).rejects.toMatchObject({ name: 'NotAuthorizedException' });

    // GetId with the token finds the identity, as AWS's does.
    expect(
      (
        await sdk.send(
          new GetIdCommand({ IdentityPoolId: emulator.identityPoolId, Logins: { [LOGIN]: player.openIdToken ?? '' } }),
        )
      ).IdentityId,
    ).toBe(player.clientId);
    const { Credentials } = await sdk.send(
      new GetCredentialsForIdentityCommand({
        IdentityId: player.clientId,
        Logins: { [LOGIN]: player.openIdToken ?? '' },
      }),
    );
    const url = await presignMqttUrl(
      emulator.endpoints.ws,
      {
        accessKeyId: Credentials?.AccessKeyId ?? '',
        secretAccessKey: Credentials?.SecretKey ?? '',
        sessionToken: Credentials?.SessionToken ?? '',
      },
      { region: emulator.region, tokenMode: 'appended' },
    );
    const link = await mqtt.connectAsync(url, { clientId: player.clientId, reconnectPeriod: 0, protocolVersion: 4 });
    await link.endAsync();
  });

  it('an expired token is refused; registering again with the service token gives a fresh one', async () => {
    const clock = new ManualClock();
    const { running, sdk } = await start({ clock });
    const player = await register(running.emulator);
    expect(Date.parse(player.openIdTokenExpiresAt ?? '') - clock.now()).toBe(900_000);
    clock.advance(900_001);
    await expect(
      sdk.send(
        new GetCredentialsForIdentityCommand({
          IdentityId: player.clientId,
          Logins: { [LOGIN]: player.openIdToken ?? '' },
        }),
      ),
    ).rejects.toMatchObject({ name: 'NotAuthorizedException' });
    const again = await register(
      running.emulator,
      { type: 'WEBSOCKET', clientId: player.clientId },
      player.serviceToken,
    );
    const { IdentityId } = await sdk.send(
      new GetCredentialsForIdentityCommand({
        IdentityId: player.clientId,
        Logins: { [LOGIN]: again.openIdToken ?? '' },
      }),
    );
    expect(IdentityId).toBe(player.clientId);
  });

  it('guests stay for unregistered use: GetId without Logins, credentials without Logins', async () => {
    const { running, sdk } = await start();
    const { IdentityId } = await sdk.send(new GetIdCommand({ IdentityPoolId: running.emulator.identityPoolId }));
    const answer = await sdk.send(new GetCredentialsForIdentityCommand({ IdentityId }));
    expect(answer.Credentials?.AccessKeyId).toMatch(/^ASIA/);
    // A guest cannot be claimed with somebody's OpenID token either,
    const player = await register(running.emulator);
    await expect(
      sdk.send(new GetCredentialsForIdentityCommand({ IdentityId, Logins: { [LOGIN]: player.openIdToken ?? '' } })),
    ).rejects.toMatchObject({ name: 'NotAuthorizedException' });
    // nor by registering its identity id as a client id (it would get the guest's token and channel).
    const claim = await callApi(running.emulator, '/register', { body: { type: 'WEBSOCKET', clientId: IdentityId } });
    expect([claim.status, claim.body.error?.code, claim.body.openIdToken]).toEqual([403, 'IDENTITY_TAKEN', undefined]);
    expect((await sdk.send(new GetCredentialsForIdentityCommand({ IdentityId }))).Credentials?.AccessKeyId).toMatch(
      /^ASIA/,
    );
  });

  it('encodes Logins unambiguously: {"p": "player=42"} and {"p=player": "42"} are two identities', async () => {
    const { running, sdk } = await start();
    const pool = running.emulator.identityPoolId;
    const a = await sdk.send(new GetIdCommand({ IdentityPoolId: pool, Logins: { p: 'player=42' } }));
    const b = await sdk.send(new GetIdCommand({ IdentityPoolId: pool, Logins: { 'p=player': '42' } }));
    expect(a.IdentityId).not.toBe(b.IdentityId);
    expect((await sdk.send(new GetIdCommand({ IdentityPoolId: pool, Logins: { p: 'player=42' } }))).IdentityId).toBe(
      a.IdentityId,
    );
    await expect(
      sdk.send(new GetCredentialsForIdentityCommand({ IdentityId: a.IdentityId, Logins: { 'p=player': '42' } })),
    ).rejects.toMatchObject({ name: 'NotAuthorizedException' });
  });

  it('the browser client (connectToService) asks for credentials with the token, and renews a token near expiry by registering again', async () => {
    // Tokens of 30 s: inside the client's one-minute renewal margin, so it renews before using one.
    const { running } = await start({ openIdTokenTtlMs: 30_000 });
    const calls: string[] = [];
    const counting: typeof fetch = (input, init) => {
      const target = String((init?.headers as Record<string, string> | undefined)?.['x-amz-target'] ?? '').replace(
        /^.*\./,
        ' ',
      );
      // Each call with the status the client got: a refused one (and its retry) would show here.
      return fetch(input, init).then((response) => {
        calls.push(`${new URL(String(input)).pathname}${target} ${response.status}`);
        return response;
      });
    };
    const { credentials, registration } = await connectToService({
      serviceUrl: running.emulator.endpoints.http,
      storage: memoryStorage(),
      fetch: counting,
      WebSocket,
    });
    expect(registration.openIdToken).toBeDefined();
    const first = await credentials();
    expect(first.accessKeyId).toMatch(/^ASIA/);
    expect(calls).toEqual(['/register 200', '/register 200', '/cognito GetCredentialsForIdentity 200']);
    const users = (await callApi(running.emulator, '/admin/users', { token: running.emulator.adminToken })).body
      .users as unknown[];
    expect(users.length).toBe(1);
  });
});
