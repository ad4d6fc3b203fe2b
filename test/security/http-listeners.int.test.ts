/**
 * Issue 13 item 2: one request must never stop the process. Malformed requests, malformed
 * WebSocket upgrades (the `//` target and `Host: a b` used to throw outside any try) and raw
 * garbage go to every HTTP listener (http, https, and the Cognito endpoint on them); none gets a
 * 5xx or a hanging socket, and the emulator still serves HTTP, Cognito and MQTT over WebSocket.
 */
import { randomBytes } from 'node:crypto';
import { CognitoIdentityClient, GetIdCommand } from '@aws-sdk/client-cognito-identity';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawExchange, statusOf, upgradeRequest, type RawTarget } from '../helpers/raw-http.js';
import { startDefaultEmulator, type SecurityEmulator } from '../helpers/security-emulator.js';

let running: SecurityEmulator;
beforeAll(async () => {
  running = await startDefaultEmulator();
});
afterAll(async () => {
  await running.close();
});

const listeners = (): [string, RawTarget][] => [
  ['http', { port: running.emulator.endpoints.ports.http }],
  ['https', { port: running.emulator.endpoints.ports.https, ca: running.emulator.caPem }],
];

/** Requests that each once threw, or could throw, inside a handler. */
const MALFORMED: [what: string, bytes: string][] = [
  ['upgrade to //', upgradeRequest('//', 'localhost')],
  ['upgrade with Host "a b"', upgradeRequest('/mqtt', 'a b')],
  ['upgrade to // with Host "a b"', upgradeRequest('//', 'a b')],
  ['upgrade with an absolute-form target', upgradeRequest('http://x:1/mqtt', 'localhost')],
  ['upgrade to a bad percent escape', upgradeRequest('/mqtt?X-Amz-Signature=%ZZ', 'localhost')],
  [
    'upgrade with a SigV4 query and Host "a b"',
    upgradeRequest(
      '/mqtt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=A%2F20260101%2Flocal-1%2Fiotdevicegateway%2Faws4_request&X-Amz-Date=20260101T000000Z&X-Amz-SignedHeaders=host&X-Amz-Signature=00',
      'a b',
    ),
  ],
  ['GET //', 'GET // HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n'],
  ['GET with Host "a b"', 'GET /portal HTTP/1.1\r\nHost: a b\r\nConnection: close\r\n\r\n'],
  ['OPTIONS *', 'OPTIONS * HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n'],
  ['absolute-form GET', 'GET http://other/admin/users HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n'],
  ['dot segments', 'GET /x/../admin/users HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n'],
  [
    'Cognito without a target header',
    'POST /cognito HTTP/1.1\r\nHost: localhost\r\nContent-Length: 3\r\nConnection: close\r\n\r\n{x}',
  ],
  [
    'Cognito with a truncated body',
    'POST /cognito HTTP/1.1\r\nHost: localhost\r\nX-Amz-Target: AWSCognitoIdentityService.GetId\r\nContent-Length: 40\r\nConnection: close\r\n\r\n{"IdentityPoolId":',
  ],
  [
    'Cognito with a chunked garbage body',
    'POST /cognito/ HTTP/1.1\r\nHost: localhost\r\nX-Amz-Target: AWSCognitoIdentityService.GetCredentialsForIdentity\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\n!!\r\n0\r\n\r\n',
  ],
  [
    'a bad chunked body to /register',
    'POST /register HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\n{"typ\r\nffffffffffffffff\r\n',
  ],
  ['a header without a colon', 'GET /portal HTTP/1.1\r\nHost localhost\r\n\r\n'],
  ['an HTTP/9 request line', 'GET /portal HTTP/9.9\r\nHost: localhost\r\n\r\n'],
];

async function stillServes(): Promise<void> {
  const { emulator } = running;
  const portal = await fetch(`${emulator.endpoints.http}/portal`);
  expect(portal.status).toBe(200);
  const cognito = new CognitoIdentityClient({ region: emulator.region, endpoint: emulator.endpoints.cognito });
  expect((await cognito.send(new GetIdCommand({ IdentityPoolId: emulator.identityPoolId }))).IdentityId).toMatch(
    /^local-1:/,
  );
  cognito.destroy();
  // The WebSocket listener answers an upgrade (a refusal without credentials is an answer).
  const socket = new WebSocket(emulator.endpoints.ws, ['mqtt']);
  const outcome = await new Promise<string>((resolve) => {
    socket.on('open', () => resolve('open'));
    socket.on('unexpected-response', (_request, response) => resolve(`refused ${response.statusCode ?? 0}`));
    socket.on('error', (error) => resolve(`error ${error.message}`));
  });
  socket.terminate();
  expect(outcome).toMatch(/^(open|refused 4\d\d)$/);
}

describe('every HTTP listener fails closed, per request', () => {
  for (const [what, bytes] of MALFORMED) {
    it(`${what}: an answer below 500 or a closed socket on http and https, and the process still serves`, async () => {
      for (const [name, target] of listeners()) {
        const answer = await rawExchange(target, bytes);
        const status = statusOf(answer);
        expect([name, status === undefined || status < 500], `${name} answered ${answer.slice(0, 120)}`).toEqual([
          name,
          true,
        ]);
      }
      await stillServes();
    });
  }

  it('raw garbage (random bytes, TLS records to the plain port, HTTP to the TLS port) leaves it serving', async () => {
    const { ports } = running.emulator.endpoints;
    for (let round = 0; round < 40; round++) {
      const garbage = randomBytes(1 + ((round * 97) % 4096));
      await rawExchange({ port: ports.http }, garbage);
      await rawExchange({ port: ports.https }, garbage); // not a TLS handshake
      await rawExchange({ port: ports.https, ca: running.emulator.caPem }, garbage);
    }
    await rawExchange({ port: ports.https }, 'GET /portal HTTP/1.1\r\nHost: localhost\r\n\r\n');
    await rawExchange({ port: ports.http }, Buffer.from([0x16, 0x03, 0x01, 0x00, 0x05, 1, 2, 3, 4, 5]));
    await stillServes();
  });

  it('an upgrade refused as malformed is answered 400 with a JSON body, and the refusal names why', async () => {
    const answer = await rawExchange({ port: running.emulator.endpoints.ports.http }, upgradeRequest('//', 'a b'));
    expect(statusOf(answer)).toBe(400);
    const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as { message?: string; traceId?: string };
    expect(body.message).toEqual(expect.any(String));
    expect(running.refusals.filter((r) => r.traceId === body.traceId)).toEqual([
      expect.objectContaining({ action: 'upgrade', reason: 'bad-request-target', status: 400 }),
    ]);
  });
});
