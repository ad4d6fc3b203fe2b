/**
 * Credentials that expire mid-session (Cognito's last at most 1 h): the live link is not
 * affected, and the next connection attempt gets fresh credentials and a freshly signed URL,
 * so the client carries on. Time is shifted through the clocks the emulator and the client take,
 * not waited for.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cognitoCredentials, memoryStorage } from '@webcomm/browser';
import { silentLogger, startEmulator, systemClock } from '@webcomm/emulator';
import { nodeWebSocketTransport, WebcommClient } from '@webcomm/node';
import { afterEach, describe, expect, it } from 'vitest';
import { nextEvent } from '../helpers/events.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('credentials expiring mid-session (emulator, SigV4 WebSocket)', () => {
  it('re-signs with fresh credentials on the next attempt and keeps receiving', async () => {
    let offsetMs = 0;
    const now = (): number => Date.now() + offsetMs;
    const dataDir = await mkdtemp(join(tmpdir(), 'webcomm-expiry-'));
    const emulator = await startEmulator({
      dataDir,
      logger: silentLogger,
      allowAnonymous: false,
      credentialTtlMs: 60_000,
      clock: { ...systemClock, now },
    });
    cleanups.push(async () => {
      await emulator.stop();
      await rm(dataDir, { recursive: true, force: true });
    });
    let credentialCalls = 0;
    const countingFetch: typeof fetch = (input, init) => {
      if (
        String(init?.headers && (init.headers as Record<string, string>)['x-amz-target']).includes(
          'GetCredentialsForIdentity',
        )
      )
        credentialCalls += 1;
      return fetch(input, init);
    };
    const credentials = cognitoCredentials({
      identityPoolId: emulator.identityPoolId,
      region: emulator.region,
      endpoint: emulator.endpoints.cognito,
      storage: memoryStorage(),
      refreshMarginMs: 10_000,
      now,
      fetch: countingFetch,
    });
    const client = new WebcommClient({
      transport: nodeWebSocketTransport({
        endpoint: emulator.endpoints.ws,
        auth: { type: 'sigv4', credentials, region: emulator.region },
        now: () => new Date(now()),
      }),
      clientId: await credentials.getIdentityId(),
    });
    cleanups.push(() => client.close());
    const got: number[] = [];
    await client.subscribe<{ version: number }>('webcomm/local/content-updates', (m) => void got.push(m.version));
    await client.connect();
    const publish = async (version: number): Promise<void> => {
      const arrived = nextEvent(client, 'message');
      const response = await fetch(`${emulator.endpoints.http}/admin/publish`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${emulator.adminToken}` },
        body: JSON.stringify({ channel: 'content-updates', message: { version }, retain: false }),
      });
      expect(response.status).toBe(200);
      await arrived;
    };
    await publish(1);
    expect(credentialCalls).toBe(1);

    offsetMs = 5 * 60_000; // the credentials (60 s) are long expired, for the emulator and the client
    await publish(2); // the live link is not affected by expiry
    const reconnected = nextEvent(client, 'connected');
    client.renewLink(); // the next attempt, as after any drop
    await reconnected;
    expect(credentialCalls).toBe(2);
    await publish(3);
    expect(got).toEqual([1, 2, 3]);
  });
});
