import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulatorUnderTest, type EmulatorUnderTest } from '../helpers/emulator-under-test.js';

// The handle startEmulator() returns holds the admin token; printing it must not show it.
let running: EmulatorUnderTest;
beforeAll(async () => {
  running = await startEmulatorUnderTest();
});
afterAll(async () => {
  await running.close();
});

describe('the running emulator handle', () => {
  it('shows no admin token through inspect, console.log formatting, JSON.stringify or String()', () => {
    const { emulator } = running;
    expect(emulator.adminToken.length).toBeGreaterThan(10);
    for (const shown of [
      inspect(emulator, { depth: 6 }),
      inspect(emulator, { depth: 6, showHidden: true }),
      JSON.stringify(emulator),
      String(emulator),
    ]) {
      expect(shown).not.toContain(emulator.adminToken);
    }
    expect(JSON.stringify(emulator)).toContain('[REDACTED]');
    expect(emulator.endpoints.http).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/); // the data itself is untouched
  });

  it('shows no backend secret: the handle, its backendCredentials, and the credentials nested anywhere', () => {
    const { emulator } = running;
    const secret = emulator.backendCredentials.secretAccessKey;
    expect(secret.length).toBeGreaterThan(20);
    const nested = { config: { credentials: emulator.backendCredentials }, list: [emulator.backendCredentials] };
    for (const value of [emulator, emulator.backendCredentials, nested]) {
      for (const shown of [
        inspect(value, { depth: 6 }),
        inspect(value, { depth: 6, showHidden: true }),
        JSON.stringify(value),
        String(value),
      ]) {
        expect(shown).not.toContain(secret);
      }
    }
    expect(JSON.parse(JSON.stringify(emulator.backendCredentials))).toEqual({
      accessKeyId: emulator.backendCredentials.accessKeyId,
      secretAccessKey: '[REDACTED]',
    });
    // The data is untouched: a client built from the credentials still signs with the secret.
    expect({ ...emulator.backendCredentials }.secretAccessKey).toBe(secret);
  });
});
