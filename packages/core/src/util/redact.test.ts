import { describe, expect, it } from 'vitest';
import { createLogger, type Logger, type LogFields } from './logger.js';
import { REDACTED, redact, redactString } from './redact.js';

const PEM = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nabc==\n-----END PRIVATE KEY-----';
const URL =
  'wss://abc-ats.iot.eu-west-1.amazonaws.com/mqtt?X-Amz-Algorithm=AWS4-HMAC-SHA256' +
  '&X-Amz-Credential=AKIDEXAMPLE%2F20260101%2Feu-west-1%2Fiotdevicegateway%2Faws4_request' +
  '&X-Amz-Date=20260101T000000Z&X-Amz-SignedHeaders=host&X-Amz-Signature=deadbeefcafe' +
  '&X-Amz-Security-Token=IQoJb3JpZ2luX2VjEXAMPLETOKEN%2B%2F';

describe('redact', () => {
  it('removes signatures, session tokens and credentials from presigned URLs', () => {
    const out = redactString(URL);
    expect(out).not.toContain('deadbeefcafe');
    expect(out).not.toContain('IQoJb3JpZ2luX2VjEXAMPLETOKEN');
    expect(out).not.toContain('AKIDEXAMPLE');
    expect(out).toContain('X-Amz-Algorithm=AWS4-HMAC-SHA256');
    expect(out).toContain('abc-ats.iot.eu-west-1.amazonaws.com');
  });

  it('removes PEM private keys (any kind) but keeps certificates', () => {
    const rsa = PEM.replace(/PRIVATE KEY/g, 'RSA PRIVATE KEY');
    const cert = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----';
    const out = redactString(`key ${PEM} rsa ${rsa} cert ${cert}`);
    expect(out).not.toContain('MIIEvQIBADANBgkqhkiG9w0BAQEFAASC');
    expect(out).toContain(cert);
  });

  it('removes passwords, custom authorizer signatures and bearer tokens in strings', () => {
    const out = redactString(
      'user?x-amz-customauthorizer-name=auth&x-amz-customauthorizer-signature=SIGxyz&token=tok123 ' +
        'password=hunter2 Authorization: Bearer eyJhbGciOi.payload.sig mqtt://bob:s3cret@host',
    );
    for (const secret of ['SIGxyz', 'tok123', 'hunter2', 'eyJhbGciOi', 's3cret']) expect(out).not.toContain(secret);
    expect(out).toContain('x-amz-customauthorizer-name=auth');
  });

  it('replaces values under secret keys at any depth, without mutating the input', () => {
    const input = {
      endpoint: 'broker.local',
      password: 'hunter2',
      adminToken: 'admin-tok',
      nested: { sessionToken: 'tok', privateKeyPem: PEM, list: [{ signature: 'sig' }] },
      error: new Error(`connect to ${URL} failed`),
    };
    const out = redact(input) as Record<string, unknown>;
    expect(JSON.stringify(out)).not.toMatch(/hunter2|admin-tok|"tok"|MIIEvQ|"sig"|deadbeefcafe/);
    expect(out.endpoint).toBe('broker.local');
    expect((out.nested as Record<string, unknown>).sessionToken).toBe(REDACTED);
    expect(input.password).toBe('hunter2');
  });

  it('survives cycles and binary data', () => {
    const a: Record<string, unknown> = { bytes: new Uint8Array(3) };
    a.self = a;
    expect(redact(a)).toEqual({ bytes: '[3 bytes]', self: '[Circular]' });
  });
});

describe('createLogger', () => {
  const capture = (): { sink: Logger; lines: [string, string, LogFields | undefined][] } => {
    const lines: [string, string, LogFields | undefined][] = [];
    const at =
      (level: string) =>
      (m: string, f?: LogFields): void => {
        lines.push([level, m, f]);
      };
    return { sink: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }, lines };
  };

  it('filters by level and redacts messages and fields before the sink sees them', () => {
    const { sink, lines } = capture();
    const log = createLogger(sink, 'info');
    log.debug('dropped');
    log.info(`opening ${URL}`, { password: 'hunter2', attempt: 1 });
    log.error('failed', { cause: new Error('password=hunter2') });
    expect(lines.map((l) => l[0])).toEqual(['info', 'error']);
    expect(JSON.stringify(lines)).not.toMatch(/hunter2|deadbeefcafe/);
    expect(lines[0]?.[2]).toEqual({ password: REDACTED, attempt: 1 });
  });

  it('silent drops everything', () => {
    const { sink, lines } = capture();
    const log = createLogger(sink, 'silent');
    log.error('x');
    expect(lines).toEqual([]);
  });
});
