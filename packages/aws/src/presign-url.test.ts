import { createHash, createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isWebcommError } from '@webcomm/core';
import { presignIotUrl } from './presign-iot-url.js';
import { presignUrl } from './presign-url.js';

interface VectorFile {
  source: string;
  host: string;
  region: string;
  service: string;
  signingDate: string;
  expiresInSeconds: number;
  credentials: { accessKeyId: string; secretAccessKey: string };
  cases: { name: string; target: string; signedTarget: string; signature: string; sessionToken?: string }[];
}
const vectors = JSON.parse(
  readFileSync(new URL('./fixtures/aws-sigv4-query-vectors.json', import.meta.url), 'utf8'),
) as VectorFile;

const paramsOf = (url: string): [string, string][] =>
  [...new URL(url, 'https://x').searchParams].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

describe('presignUrl against the official AWS SigV4 query-signing vectors', () => {
  it.each(vectors.cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const url = await presignUrl(`https://${vectors.host}${c.target}`, {
      credentials: { ...vectors.credentials, sessionToken: c.sessionToken },
      region: vectors.region,
      service: vectors.service,
      signingDate: new Date(vectors.signingDate),
      expiresInSeconds: vectors.expiresInSeconds,
      // The suite signs the token like any parameter (generic AWS presigning).
      sessionToken: c.sessionToken === undefined ? 'append' : 'sign',
    });
    expect(new URL(url).searchParams.get('X-Amz-Signature')).toBe(c.signature);
    expect(paramsOf(url)).toEqual(paramsOf(c.signedTarget));
    expect(new URL(url).pathname).toBe(new URL(c.signedTarget, 'https://x').pathname);
  });
});

/** Independent reference: AWS IoT's WebSocket signing written out with node:crypto, as AWS's samples do it. */
function referenceIotSignature(o: {
  host: string;
  akid: string;
  secret: string;
  region: string;
  amzDate: string;
  expires: number;
}): string {
  const date = o.amzDate.slice(0, 8);
  const scope = `${date}/${o.region}/iotdevicegateway/aws4_request`;
  const query =
    `X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=${encodeURIComponent(`${o.akid}/${scope}`)}` +
    `&X-Amz-Date=${o.amzDate}&X-Amz-Expires=${o.expires}&X-Amz-SignedHeaders=host`;
  const canonical = [
    'GET',
    '/mqtt',
    query,
    `host:${o.host}`,
    '',
    'host',
    createHash('sha256').update('').digest('hex'),
  ].join('\n');
  const toSign = ['AWS4-HMAC-SHA256', o.amzDate, scope, createHash('sha256').update(canonical).digest('hex')].join(
    '\n',
  );
  let key: Buffer = createHmac('sha256', `AWS4${o.secret}`).update(date).digest();
  for (const part of [o.region, 'iotdevicegateway', 'aws4_request'])
    key = createHmac('sha256', key).update(part).digest();
  return createHmac('sha256', key).update(toSign).digest('hex');
}

describe('presignIotUrl', () => {
  const credentials = {
    accessKeyId: 'ASIAEXAMPLEKEY',
    secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
    sessionToken: 'IQoJb3JpZ2luX2VjE+token/with=chars',
  };
  const signingDate = new Date('2026-11-24T18:30:05Z');

  it('signs wss://HOST/mqtt for iotdevicegateway with the region from the endpoint and appends the token last', async () => {
    const host = 'a1b2c3d4e5f6g7-ats.iot.eu-west-1.amazonaws.com';
    const url = await presignIotUrl({ endpoint: host, credentials, signingDate });
    const signature = referenceIotSignature({
      host,
      akid: credentials.accessKeyId,
      secret: credentials.secretAccessKey,
      region: 'eu-west-1',
      amzDate: '20261124T183005Z',
      expires: 86400,
    });
    expect(url).toBe(
      `wss://${host}/mqtt?X-Amz-Algorithm=AWS4-HMAC-SHA256` +
        '&X-Amz-Credential=ASIAEXAMPLEKEY%2F20261124%2Feu-west-1%2Fiotdevicegateway%2Faws4_request' +
        '&X-Amz-Date=20261124T183005Z&X-Amz-SignedHeaders=host&X-Amz-Expires=86400' +
        `&X-Amz-Signature=${signature}` +
        '&X-Amz-Security-Token=IQoJb3JpZ2luX2VjE%2Btoken%2Fwith%3Dchars',
    );
  });

  it('signs host:port for an emulator on another port, with the region given', async () => {
    const url = await presignIotUrl({
      endpoint: 'ws://127.0.0.1:4567',
      region: 'local-1',
      credentials,
      signingDate,
      expiresInSeconds: 300,
    });
    const signature = referenceIotSignature({
      host: '127.0.0.1:4567',
      akid: credentials.accessKeyId,
      secret: credentials.secretAccessKey,
      region: 'local-1',
      amzDate: '20261124T183005Z',
      expires: 300,
    });
    expect(url.startsWith('ws://127.0.0.1:4567/mqtt?X-Amz-Algorithm=AWS4-HMAC-SHA256&')).toBe(true);
    expect(new URL(url).searchParams.get('X-Amz-Signature')).toBe(signature);
  });

  it('gives a different URL for a later attempt (signed at the moment of use)', async () => {
    const endpoint = 'x-ats.iot.us-east-1.amazonaws.com';
    const a = await presignIotUrl({ endpoint, credentials, signingDate });
    const b = await presignIotUrl({ endpoint, credentials, signingDate: new Date(signingDate.getTime() + 1000) });
    expect(a).not.toBe(b);
  });

  it('leaves the token out when the credentials have none', async () => {
    const url = await presignIotUrl({
      endpoint: 'x-ats.iot.us-east-1.amazonaws.com',
      credentials: { accessKeyId: 'AKID', secretAccessKey: 'secret' },
      signingDate,
    });
    expect(url).not.toContain('X-Amz-Security-Token');
    expect(url.endsWith(new URL(url).searchParams.get('X-Amz-Signature') ?? 'missing')).toBe(true);
  });

  it('asks for a region when the endpoint has none', async () => {
    const error: unknown = await presignIotUrl({ endpoint: 'broker.example.com', credentials }).catch(
      (e: unknown) => e,
    );
    expect(isWebcommError(error, 'WEBCOMM_INVALID_OPTION')).toBe(true);
    expect((error as Error).message).toContain('pass region');
  });

  it('rejects a non-WebSocket endpoint and bad expiry by name', async () => {
    await expect(presignIotUrl({ endpoint: 'ftp://h', region: 'x-1', credentials })).rejects.toThrow(
      /Option "endpoint" must be a URL starting with wss:\/\//,
    );
    await expect(
      presignIotUrl({ endpoint: 'h', region: 'eu-west-1', credentials, expiresInSeconds: 0 }),
    ).rejects.toThrow(/expiresInSeconds/);
    await expect(
      presignIotUrl({ endpoint: 'h', region: 'eu-west-1', credentials: { accessKeyId: '', secretAccessKey: 's' } }),
    ).rejects.toThrow(/accessKeyId/);
  });
});

// The wire contract's SigV4 vectors (docs/fixtures/sigv4-iot-presigned-url.json, linked from
// docs/protocol.md): our presigner must produce each URL byte for byte, so the doc and the
// TypeScript client cannot drift. Cases without X-Amz-Expires are the AWS SDKs' form, which
// @smithy/signature-v4 cannot produce; the emulator's verifier test covers them.
interface IotVector {
  name: string;
  endpoint: string;
  region: string;
  signingDate: string;
  expiresInSeconds: number | null;
  sessionTokenAppended: boolean;
  url: string;
}
const file = JSON.parse(
  readFileSync(new URL('../../../docs/fixtures/sigv4-iot-presigned-url.json', import.meta.url), 'utf8'),
) as {
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken: string };
  cases: IotVector[];
};

describe('presignIotUrl against the protocol doc vectors', () => {
  const signable = file.cases.filter((c) => c.expiresInSeconds !== null);
  it('has vectors to check', () => expect(signable.length).toBeGreaterThanOrEqual(3));
  it.each(signable.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const { sessionToken, ...longTerm } = file.credentials;
    const url = await presignIotUrl({
      endpoint: c.endpoint,
      region: c.region,
      credentials: c.sessionTokenAppended ? { ...longTerm, sessionToken } : longTerm,
      signingDate: new Date(c.signingDate),
      expiresInSeconds: c.expiresInSeconds ?? undefined,
    });
    expect(url).toBe(c.url);
  });
});
