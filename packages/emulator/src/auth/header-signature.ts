/**
 * Verifies a SigV4 `Authorization` header (the AWS SDK's signed requests, here the IoT data
 * plane's, service `iotdata`). The request is rebuilt from exactly the headers it says it signed
 * and signed again with `@smithy/signature-v4`, the signer the SDK itself uses, so the emulator
 * cannot disagree with the SDK on canonicalisation; the two signatures are compared in constant
 * time. Only the check's name and a hint are reported, never the secret or the signature.
 */
import { createHash } from 'node:crypto';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { sameSecret } from '../cognito/local-identity-issuer.js';

/** Long-term credentials a request may be signed with. Secret. */
export interface SigningCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** What the verifier needs of a request. */
export interface SignedRequest {
  readonly method: string;
  /** The path as sent, percent escapes kept: the SDK signs it escaped once more (`uriEscapePath`). */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Uint8Array;
}

/** Which check refused a request. */
export type HeaderSignatureCheck =
  | 'missing-authorization'
  | 'malformed-authorization'
  | 'bad-credential-scope'
  | 'unknown-access-key'
  | 'bad-date'
  | 'request-expired'
  | 'bad-payload-hash'
  | 'bad-signature';

/** Outcome of {@link verifyHeaderSignature}. */
export type HeaderSignatureResult =
  | { readonly ok: true; readonly accessKeyId: string }
  | { readonly ok: false; readonly check: HeaderSignatureCheck; readonly message: string };

/** AWS refuses a request whose `X-Amz-Date` is more than 15 minutes off. */
export const MAX_REQUEST_SKEW_MS = 15 * 60_000;

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^,\s]+),\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$/;

function header(headers: SignedRequest['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

function parseAmzDate(value: string): number | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (match === null) return undefined;
  const [, y, mo, d, h, mi, s] = match.map(Number) as [number, number, number, number, number, number, number];
  return Date.UTC(y, mo - 1, d, h, mi, s);
}

function fail(check: HeaderSignatureCheck, message: string): HeaderSignatureResult {
  return { ok: false, check, message };
}

/**
 * Verifies `request` against `credentials` for `service` in `region` at `now` (ms). Accepts
 * exactly one key pair: the emulator's backend credentials.
 */
export async function verifyHeaderSignature(
  request: SignedRequest,
  deps: {
    readonly credentials: SigningCredentials;
    readonly region: string;
    readonly service: string;
    readonly now: number;
  },
): Promise<HeaderSignatureResult> {
  const authorization = header(request.headers, 'authorization');
  if (authorization === undefined)
    return fail(
      'missing-authorization',
      'Missing Authentication Token: sign the request with SigV4 (the AWS SDK does).',
    );
  const match = AUTHORIZATION.exec(authorization);
  if (match === null)
    return fail('malformed-authorization', 'The Authorization header is not a SigV4 AWS4-HMAC-SHA256 header.');
  const [, credential = '', signedList = '', given = ''] = match;
  const [accessKeyId = '', day = '', region = '', service = '', terminator = '', ...rest] = credential.split('/');
  if (rest.length > 0 || terminator !== 'aws4_request' || region !== deps.region || service !== deps.service) {
    return fail(
      'bad-credential-scope',
      `Credential should be scoped to a valid region and service: KEY/DATE/${deps.region}/${deps.service}/aws4_request.`,
    );
  }
  if (!sameSecret(accessKeyId, deps.credentials.accessKeyId))
    return fail('unknown-access-key', 'The security token included in the request is invalid (unknown access key id).');
  const longDate = header(request.headers, 'x-amz-date') ?? '';
  const signedAt = parseAmzDate(longDate);
  if (signedAt === undefined || longDate.slice(0, 8) !== day)
    return fail('bad-date', 'X-Amz-Date is missing, malformed or not the credential scope date.');
  if (Math.abs(deps.now - signedAt) > MAX_REQUEST_SKEW_MS)
    return fail(
      'request-expired',
      'Signature expired: X-Amz-Date is more than 15 minutes from the server time; sign each request as it is sent.',
    );

  const signedNames = signedList.split(';');
  if (!signedNames.includes('host')) return fail('malformed-authorization', 'SignedHeaders must include host.');
  const headers: Record<string, string> = {};
  for (const name of signedNames) {
    const value = header(request.headers, name);
    if (value === undefined) return fail('bad-signature', `Header "${name}" is listed in SignedHeaders but missing.`);
    headers[name] = value;
  }
  // A declared payload hash must be the body's: a signature over a wrong hash would not cover the body.
  const declaredHash = headers['x-amz-content-sha256'];
  if (declaredHash !== undefined && declaredHash !== createHash('sha256').update(request.body).digest('hex')) {
    return fail(
      'bad-payload-hash',
      'x-amz-content-sha256 is not the SHA-256 of the body (unsigned payloads are not accepted).',
    );
  }
  const query: Record<string, string | string[]> = {};
  for (const name of new Set(request.query.keys())) {
    const values = request.query.getAll(name);
    query[name] = values.length === 1 ? (values[0] as string) : values;
  }
  const signer = new SignatureV4({
    credentials: { accessKeyId, secretAccessKey: deps.credentials.secretAccessKey },
    region,
    service,
    sha256: Sha256,
    // The SDK's own setting: the path is escaped once more (non-S3 services).
    uriEscapePath: true,
    // Add x-amz-content-sha256 only when the client signed one, so the header lists agree.
    applyChecksum: false,
  });
  const rebuilt = new HttpRequest({
    method: request.method,
    protocol: 'http:',
    hostname: headers.host ?? '',
    path: request.path,
    query,
    headers,
    body: request.body,
  });
  const signed = await signer.sign(rebuilt, { signingDate: new Date(signedAt), signableHeaders: new Set(signedNames) });
  const expected = /Signature=([0-9a-f]{64})$/.exec(String(signed.headers.authorization ?? ''))?.[1] ?? '';
  const expectedList = /SignedHeaders=([^,]+),/.exec(String(signed.headers.authorization ?? ''))?.[1] ?? '';
  if (expectedList !== signedList || !sameSecret(expected, given)) {
    return fail(
      'bad-signature',
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.',
    );
  }
  return { ok: true, accessKeyId };
}
