/**
 * docs/protocol.md's claims about a presigned WebSocket URL's lifetime, held against the emulator
 * (a newcomer writing a client from the doc alone found it saying a link ends with 0xA0 when its
 * signature expires, while a link signed for 6 s stayed up): the URL is good until X-Amz-Date plus
 * the shorter of X-Amz-Expires and 15 minutes, checked at the upgrade only; a link opened in time
 * stays up past it, on MQTT 3.1.1 and 5.
 */
import {
  CognitoIdentityClient,
  GetCredentialsForIdentityCommand,
  GetIdCommand,
} from '@aws-sdk/client-cognito-identity';
import {
  connect,
  end,
  ManualClock,
  nextMessage,
  presignMqttUrl,
  startFixture,
  subscribe,
  upgradeRefusal,
  type EmulatorFixture,
  type TestCredentials,
} from '@webcomm/emulator/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

let fixture: EmulatorFixture;
let clock: ManualClock;

beforeEach(async () => {
  clock = new ManualClock();
  clock.advance(1_000 - (clock.now() % 1_000)); // X-Amz-Date has whole seconds
  fixture = await startFixture({ clock, credentialTtlMs: 3_600_000 });
});
afterEach(async () => {
  await fixture.close();
});

async function guest(): Promise<{ identityId: string; credentials: TestCredentials }> {
  const cognito = new CognitoIdentityClient({
    region: fixture.emulator.region,
    endpoint: fixture.emulator.endpoints.cognito,
  });
  const { IdentityId = '' } = await cognito.send(new GetIdCommand({ IdentityPoolId: fixture.emulator.identityPoolId }));
  const { Credentials } = await cognito.send(new GetCredentialsForIdentityCommand({ IdentityId }));
  cognito.destroy();
  return {
    identityId: IdentityId,
    credentials: {
      accessKeyId: Credentials?.AccessKeyId ?? '',
      secretAccessKey: Credentials?.SecretKey ?? '',
      sessionToken: Credentials?.SessionToken ?? '',
    },
  };
}

const signed = (credentials: TestCredentials, expiresIn: number): Promise<string> =>
  presignMqttUrl(fixture.emulator.endpoints.ws, credentials, {
    region: fixture.emulator.region,
    tokenMode: 'appended',
    signingDate: new Date(clock.now()),
    expiresIn,
  });

describe('docs/protocol.md: the presigned URL lifetime', () => {
  it('honours an X-Amz-Expires shorter than 15 minutes at the upgrade (6 s: good at 6 s, refused after)', async () => {
    const { identityId, credentials } = await guest();
    const url = await signed(credentials, 6);
    clock.advance(6_000);
    await end(await connect(url, { clientId: identityId, protocolVersion: 4 }));
    clock.advance(1);
    expect((await upgradeRefusal(url)).status).toBe(403);
    expect(fixture.refusals.at(-1)?.reason).toBe('url-expired');
  });

  for (const protocolVersion of [4, 5] as const) {
    it(`keeps a link opened in time up past the URL's lifetime (MQTT ${protocolVersion === 4 ? '3.1.1' : '5'})`, async () => {
      const { identityId, credentials } = await guest();
      const client = await connect(await signed(credentials, 6), { clientId: identityId, protocolVersion });
      let closed = false;
      client.on('close', () => (closed = true));
      clock.advance(12_000);
      // Still up: a round trip through the broker after the signature's lifetime.
      await subscribe(client, `game/private/${identityId}`);
      const message = nextMessage(client);
      await fixture.emulator.broker.publish(`game/private/${identityId}`, Buffer.from('still here'));
      expect((await message).payload.toString()).toBe('still here');
      expect(closed).toBe(false);
      await end(client);
    });
  }
});
