/**
 * Issue 13 items 4 and 5: registration. Concurrent registrations of one new client id give one
 * identity (they gave 4 of 20); a flood from one address gets 429 with Retry-After (1,000 in a row
 * all succeeded); certificates come from the operator, not from anyone who asks.
 */
import { request as httpRequest } from 'node:http';
import type { RegistrationResponse } from '@webcomm/core';
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
    const request = httpRequest({ host: '127.0.0.1', port, localAddress, method: 'POST', path: '/register', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) } }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    request.on('error', reject);
    request.end(text);
  });
}

describe('registration races', () => {
  it('20 concurrent registrations of one new client id give exactly one working identity', async () => {
    running = await startDefaultEmulator();
    const { emulator } = running;
    const answers = await Promise.all(Array.from({ length: 20 }, () => callApi(emulator, '/register', { body: { type: 'WEBSOCKET', clientId: 'local-1:race-1' } })));
    const accepted = answers.filter((answer) => answer.status === 200);
    const refusals = answers.filter((answer) => answer.status !== 200).map((answer) => answer.body.error?.code);
    expect(accepted.length).toBe(1);
    expect(new Set(refusals)).toEqual(new Set(['IDENTITY_TAKEN']));
    // "Working" means the service token is accepted: count them.
    let working = 0;
    for (const answer of accepted) if ((await callApi(emulator, '/channels', { token: String(answer.body.serviceToken) })).status === 200) working++;
    expect(working).toBe(1);
    const users = await callApi(emulator, '/admin/users', { token: emulator.adminToken });
    expect((users.body.users as { id: string }[]).filter((user) => user.id === 'local-1:race-1').length).toBe(1);
    console.info(`registration race: ${accepted.length} of 20 accepted, ${working} working identity`);
  });

  it('concurrent re-registrations with the owner token all succeed, one after another', async () => {
    running = await startDefaultEmulator();
    const { emulator } = running;
    const first = (await callApi(emulator, '/register', { body: { type: 'WEBSOCKET' } })).body as unknown as RegistrationResponse;
    const again = await Promise.all(Array.from({ length: 5 }, () => callApi(emulator, '/register', { token: first.serviceToken, body: { type: 'WEBSOCKET', clientId: first.clientId } })));
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
    expect((await callApi(emulator, '/register', { token: emulator.adminToken, body: { type: 'WEBSOCKET' } })).status).toBe(200);
  });
});
