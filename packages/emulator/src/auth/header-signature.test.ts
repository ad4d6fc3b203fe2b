import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { describe, expect, it } from 'vitest';
import { verifyHeaderSignature, type SignedRequest } from './header-signature.js';

const credentials = {
  accessKeyId: 'AKIAEMULATORTEST0001',
  secretAccessKey: 'c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNl',
};
const signedAt = Date.UTC(2026, 11, 1, 22, 0, 0);
const deps = { credentials, region: 'local-1', service: 'iotdata', now: signedAt + 1_000 };

/** Signs a Publish the way the SDK does and returns it as the server receives it. */
async function signedPublish(
  override: { secret?: string; service?: string; body?: string } = {},
): Promise<SignedRequest> {
  const body = Buffer.from(override.body ?? '{"hello":1}');
  const signer = new SignatureV4({
    credentials: {
      accessKeyId: credentials.accessKeyId,
      secretAccessKey: override.secret ?? credentials.secretAccessKey,
    },
    region: 'local-1',
    service: override.service ?? 'iotdata',
    sha256: Sha256,
  });
  const request = new HttpRequest({
    method: 'POST',
    protocol: 'http:',
    hostname: '127.0.0.1',
    port: 8080,
    path: '/topics/webcomm%2Flocal%2Fnews',
    query: { qos: '1' },
    headers: {
      host: '127.0.0.1:8080',
      'content-type': 'application/octet-stream',
      'content-length': String(body.length),
    },
    body,
  });
  const signed = await signer.sign(request, { signingDate: new Date(signedAt) });
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(signed.headers)) headers[name.toLowerCase()] = String(value);
  return { method: 'POST', path: signed.path, query: new URLSearchParams({ qos: '1' }), headers, body };
}

describe('verifyHeaderSignature', () => {
  it('accepts a request signed with the credentials (SDK signer, x-amz-content-sha256 signed)', async () => {
    expect(await verifyHeaderSignature(await signedPublish(), deps)).toEqual({
      ok: true,
      accessKeyId: credentials.accessKeyId,
    });
  });

  it('refuses a wrong secret, a tampered body, path or query, another service, and a stale date', async () => {
    const check = async (request: SignedRequest, at = deps.now): Promise<string> => {
      const result = await verifyHeaderSignature(request, { ...deps, now: at });
      return result.ok ? 'ok' : result.check;
    };
    expect(await check(await signedPublish({ secret: 'wrong-secret' }))).toBe('bad-signature');
    expect(await check({ ...(await signedPublish()), body: Buffer.from('{"hello":2}') })).toBe('bad-payload-hash');
    const good = await signedPublish();
    expect(await check({ ...good, path: '/topics/webcomm%2Flocal%2Fother' })).toBe('bad-signature');
    expect(await check({ ...good, query: new URLSearchParams({ qos: '0' }) })).toBe('bad-signature');
    expect(await check({ ...good, headers: { ...good.headers, 'content-type': 'text/plain' } })).toBe('bad-signature');
    expect(await check(await signedPublish({ service: 'iotdevicegateway' }))).toBe('bad-credential-scope');
    expect(await check(good, signedAt + 16 * 60_000)).toBe('request-expired');
    expect(await check({ ...good, headers: { ...good.headers, authorization: undefined } })).toBe(
      'missing-authorization',
    );
    const otherKey = {
      ...good,
      headers: {
        ...good.headers,
        authorization: String(good.headers.authorization).replace(credentials.accessKeyId, 'AKIAOTHERKEY00000000'),
      },
    };
    expect(await check(otherKey)).toBe('unknown-access-key');
  });

  it('verifies a request whose body hash is not a signed header (applyChecksum off)', async () => {
    const body = Buffer.from('x');
    const signer = new SignatureV4({
      credentials,
      region: 'local-1',
      service: 'iotdata',
      sha256: Sha256,
      applyChecksum: false,
    });
    const signed = await signer.sign(
      new HttpRequest({
        method: 'DELETE',
        protocol: 'http:',
        hostname: 'h',
        path: '/connections/local-1%3Aabc',
        headers: { host: 'h' },
        body,
      }),
      { signingDate: new Date(signedAt) },
    );
    const headers = Object.fromEntries(Object.entries(signed.headers).map(([k, v]) => [k.toLowerCase(), String(v)]));
    expect(headers['authorization']).not.toContain('x-amz-content-sha256');
    const request: SignedRequest = {
      method: 'DELETE',
      path: '/connections/local-1%3Aabc',
      query: new URLSearchParams(),
      headers,
      body,
    };
    expect((await verifyHeaderSignature(request, deps)).ok).toBe(true);
    expect((await verifyHeaderSignature({ ...request, body: Buffer.from('y') }, deps)).ok).toBe(false);
  });
});
