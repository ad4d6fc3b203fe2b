import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { hideSecrets } from './hide-secrets.js';
import { REDACTED } from './redact.js';

describe('hideSecrets', () => {
  it('prints secrets redacted, keeps the data for spreads and destructuring', () => {
    const value = hideSecrets({ clientId: 'c1', serviceToken: 'tok-123', nested: { privateKeyPem: 'pem' } });
    expect(inspect(value, { breakLength: Infinity })).toBe(
      `{ clientId: 'c1', serviceToken: '${REDACTED}', nested: { privateKeyPem: '${REDACTED}' } }`,
    );
    expect(JSON.parse(JSON.stringify(value))).toEqual({
      clientId: 'c1',
      serviceToken: REDACTED,
      nested: { privateKeyPem: REDACTED },
    });
    expect(String(value)).toBe('[object Object]');
    const { serviceToken, ...rest } = value;
    expect(serviceToken).toBe('tok-123');
    expect({ ...value }.serviceToken).toBe('tok-123');
    expect(Object.keys(value)).toEqual(['clientId', 'serviceToken', 'nested']);
    expect(JSON.stringify(rest)).toBe('{"clientId":"c1","nested":{"privateKeyPem":"pem"}}'); // a copy is plain data again
  });

  it('keeps dates (credential expiry) readable', () => {
    const expiration = new Date('2026-12-01T20:00:00.000Z');
    const credentials = hideSecrets({ accessKeyId: 'AKID', secretAccessKey: 'secret', expiration });
    expect(inspect(credentials, { breakLength: Infinity })).toBe(
      `{ accessKeyId: 'AKID', secretAccessKey: '${REDACTED}', expiration: 2026-12-01T20:00:00.000Z }`,
    );
    expect(JSON.stringify(credentials)).toContain('"expiration":"2026-12-01T20:00:00.000Z"');
  });
});
