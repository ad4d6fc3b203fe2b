import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { IOT_SIGNING_SERVICE } from './sigv4-verifier.js';
import { presignedSignature } from './presigned-signature.js';

// Guards the smithy steps presigned-signature.ts is built from: its signature must equal the
// one smithy's public presign() puts in the URL, for the shapes IoT clients send.

const credentials = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  sessionToken: 'token/with+odd=chars',
};
const signingDate = new Date(Date.UTC(2026, 11, 1, 20, 30, 0));

async function smithyPresign(
  host: string,
  query: Record<string, string>,
  withToken: boolean,
  alsoSign: Record<string, string> = {},
): Promise<URLSearchParams> {
  const signer = new SignatureV4({
    service: IOT_SIGNING_SERVICE,
    region: 'eu-west-1',
    sha256: Sha256,
    credentials: withToken
      ? credentials
      : { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey },
  });
  const request = new HttpRequest({
    method: 'GET',
    protocol: 'wss:',
    hostname: host.replace(/:\d+$/, ''),
    path: '/mqtt',
    query,
    headers: { ...alsoSign, host },
  });
  const signed = await signer.presign(request, {
    signingDate,
    expiresIn: 300,
    signableHeaders: new Set(Object.keys(alsoSign)),
  });
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(signed.query ?? {})) params.set(name, String(value));
  return params;
}

describe('presignedSignature', () => {
  const cases: {
    name: string;
    host: string;
    query: Record<string, string>;
    withToken: boolean;
    alsoSign?: Record<string, string>;
  }[] = [
    { name: 'no session token', host: 'localhost', query: {}, withToken: false },
    { name: 'session token signed', host: 'localhost', query: {}, withToken: true },
    {
      name: 'host with port, extra parameters to escape',
      host: '127.0.0.1:8443',
      query: { 'x-amz-customauthorizer-name': 'a b', z: '~*!' },
      withToken: true,
    },
    {
      name: 'connection;host signed (aws-crt), values with spaces to collapse',
      host: 'localhost:8443',
      query: {},
      withToken: false,
      alsoSign: { connection: '  Upgrade,   keep-alive ' },
    },
  ];
  for (const { name, host, query, withToken, alsoSign = {} } of cases) {
    it(`equals smithy's presign() signature: ${name}`, async () => {
      const params = await smithyPresign(host, query, withToken, alsoSign);
      const given = params.get('X-Amz-Signature');
      expect(given).toMatch(/^[0-9a-f]{64}$/);
      params.delete('X-Amz-Signature');
      const signature = await presignedSignature(
        { path: '/mqtt', headers: { ...alsoSign, host }, query: Object.fromEntries(params) },
        {
          accessKeyId: credentials.accessKeyId,
          secretAccessKey: credentials.secretAccessKey,
          longDate: params.get('X-Amz-Date') ?? '',
          region: 'eu-west-1',
          service: IOT_SIGNING_SERVICE,
        },
      );
      expect(signature).toBe(given);
    });
  }

  it('changes with any signed part (a wrong secret, query or host gives another signature)', async () => {
    const params = await smithyPresign('localhost', {}, true);
    const given = params.get('X-Amz-Signature');
    params.delete('X-Amz-Signature');
    const scope = {
      accessKeyId: credentials.accessKeyId,
      secretAccessKey: credentials.secretAccessKey,
      longDate: params.get('X-Amz-Date') ?? '',
      region: 'eu-west-1',
      service: IOT_SIGNING_SERVICE,
    };
    const query = Object.fromEntries(params);
    expect(
      await presignedSignature(
        { path: '/mqtt', headers: { host: 'localhost' }, query },
        { ...scope, secretAccessKey: 'other' },
      ),
    ).not.toBe(given);
    expect(
      await presignedSignature(
        { path: '/mqtt', headers: { host: 'localhost' }, query: { ...query, extra: '1' } },
        scope,
      ),
    ).not.toBe(given);
    expect(await presignedSignature({ path: '/mqtt', headers: { host: 'localhost:1' }, query }, scope)).not.toBe(given);
  });
});

// The wire contract's vectors (docs/fixtures/sigv4-iot-presigned-url.json): what the doc says a
// client signs is what the emulator verifies, with and without X-Amz-Expires.
describe('presignedSignature against the protocol doc vectors', () => {
  const file = JSON.parse(
    readFileSync(new URL('../../../../docs/fixtures/sigv4-iot-presigned-url.json', import.meta.url), 'utf8'),
  ) as {
    credentials: { accessKeyId: string; secretAccessKey: string };
    cases: { name: string; url: string; signedHost: string; region: string; signature: string }[];
  };
  it.each(file.cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const url = new URL(c.url);
    const query: Record<string, string> = {};
    for (const [name, value] of url.searchParams)
      if (name !== 'X-Amz-Signature' && name !== 'X-Amz-Security-Token') query[name] = value;
    const signature = await presignedSignature(
      { path: url.pathname, headers: { host: c.signedHost }, query },
      {
        accessKeyId: file.credentials.accessKeyId,
        secretAccessKey: file.credentials.secretAccessKey,
        longDate: query['X-Amz-Date'] ?? '',
        region: c.region,
        service: IOT_SIGNING_SERVICE,
      },
    );
    expect(signature).toBe(c.signature);
    expect(url.searchParams.get('X-Amz-Signature')).toBe(c.signature);
  });
});
