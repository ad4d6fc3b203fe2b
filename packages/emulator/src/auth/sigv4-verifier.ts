/**
 * Verifies SigV4-presigned WebSocket URLs as IoT Core does (service `iotdevicegateway`, any
 * signed-header list that includes `host`, empty payload): the v1 SDK and smithy sign `host`,
 * aws-crt (the v2 SDK) signs `connection;host`. The expected signature is computed from
 * `@smithy/signature-v4`'s canonicalisation and key derivation (see presigned-signature.ts).
 */
import type { Clock } from '../clock.js';
import type { CredentialCheck, LocalIdentityIssuer } from '../cognito/local-identity-issuer.js';
import { sameSecret } from '../cognito/local-identity-issuer.js';
import type { SigningCredentials } from './header-signature.js';
import { presignedSignature } from './presigned-signature.js';

/** Which check refused a presigned URL (logged; never the secret, signature or token). */
export type SigV4Check =
  | 'malformed-query'
  | 'bad-algorithm'
  | 'bad-credential-scope'
  | 'bad-signed-headers'
  | 'bad-date'
  | 'url-expired'
  | 'bad-signature'
  | CredentialCheck;

/** Who signed an accepted URL. */
export type SigV4Signer =
  /** A Cognito identity's temporary credentials: it connects as its identity id. */
  | { readonly kind: 'identity'; readonly identityId: string; readonly credentialsExpireAt: number }
  /** The backend credentials (an IAM role's on AWS): an operator or backend tool. */
  | { readonly kind: 'backend' };

/** Outcome of {@link verifyPresignedRequest}. */
export type SigV4Result =
  | { readonly ok: true; readonly accessKeyId: string; readonly signer: SigV4Signer }
  | { readonly ok: false; readonly check: SigV4Check; readonly detail: string };

/** IoT Core honours a presigned URL for about 15 minutes, whatever `X-Amz-Expires` says. */
const MAX_URL_AGE_S = 900;
/** SigV4's longest presigned URL lifetime (one week); AWS refuses a larger `X-Amz-Expires`. */
const MAX_EXPIRES_S = 604_800;
/** Clock skew tolerated for a date in the future. */
const MAX_SKEW_MS = 5 * 60_000;
/** The SigV4 service name of IoT Core's device gateway (the data-plane endpoint). */
export const IOT_SIGNING_SERVICE = 'iotdevicegateway';
const SERVICE = IOT_SIGNING_SERVICE;

function parseAmzDate(value: string): Date | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (match === null) return undefined;
  const [, y, mo, d, h, mi, s] = match.map(Number) as [number, number, number, number, number, number, number];
  return new Date(Date.UTC(y, mo - 1, d, h, mi, s));
}

function fail(check: SigV4Check, detail: string): SigV4Result {
  return { ok: false, check, detail };
}

/** The upgrade request's headers, each name's values in arrival order (Node's `headersDistinct`). */
export type UpgradeHeaders = Readonly<Record<string, readonly string[] | undefined>>;

/** More signed headers than any SigV4 client sends to IoT: bounds the work a forged URL causes. */
const MAX_SIGNED_HEADERS = 16;

/**
 * The signed headers' values as the request carried them, or why the list is unusable. SigV4's
 * list is lower-case, sorted, `;`-separated; repeated headers are joined with `,`.
 */
function signedHeaderValues(list: string, headers: UpgradeHeaders): Record<string, string> | string {
  const names = list.split(';');
  if (names.length > MAX_SIGNED_HEADERS || !names.every((name) => /^[a-z0-9-]+$/.test(name)))
    return `X-Amz-SignedHeaders must be up to ${MAX_SIGNED_HEADERS} lower-case header names separated by ";"`;
  if (names.join(';') !== [...new Set(names)].sort().join(';'))
    return 'X-Amz-SignedHeaders must be sorted and without repeats';
  if (!names.includes('host')) return 'X-Amz-SignedHeaders must include "host"';
  const values: Record<string, string> = {};
  for (const name of names) {
    const value = headers[name];
    if (value === undefined || value.length === 0) return `signed header "${name}" is not on the request`;
    values[name] = value.join(',');
  }
  return values;
}

/**
 * Verifies a presigned `GET /mqtt?...` request against the headers it carries. The signed host
 * may be the Host header as sent (`host:port`) or its name alone (aws-crt and the v1 SDK differ
 * on a port other than 443). The session token may be appended after signing (AWS IoT SDKs) or
 * signed with the query (`@smithy/signature-v4` `presign`, botocore).
 */
export async function verifyPresignedRequest(
  url: URL,
  headers: UpgradeHeaders,
  deps: {
    identities: LocalIdentityIssuer;
    region: string;
    clock: Clock;
    /** Long-term credentials also accepted (no session token), as IAM credentials are on AWS. */
    backend?: SigningCredentials;
  },
): Promise<SigV4Result> {
  const params = url.searchParams;
  for (const name of ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-SignedHeaders', 'X-Amz-Signature']) {
    if (params.getAll(name).length !== 1) return fail('malformed-query', `${name} missing or repeated`);
  }
  if (params.get('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256')
    return fail('bad-algorithm', 'X-Amz-Algorithm is not AWS4-HMAC-SHA256');
  const credential = params.get('X-Amz-Credential') ?? '';
  const [accessKeyId = '', day = '', region = '', service = '', terminator = '', ...rest] = credential.split('/');
  if (rest.length > 0 || terminator !== 'aws4_request' || service !== SERVICE || region !== deps.region) {
    return fail('bad-credential-scope', `credential scope must be KEY/DATE/${deps.region}/${SERVICE}/aws4_request`);
  }
  const signedHeaders = signedHeaderValues(params.get('X-Amz-SignedHeaders') ?? '', headers);
  if (typeof signedHeaders === 'string') return fail('bad-signed-headers', signedHeaders);
  const longDate = params.get('X-Amz-Date') ?? '';
  const signingDate = parseAmzDate(longDate);
  if (signingDate === undefined || longDate.slice(0, 8) !== day)
    return fail('bad-date', 'X-Amz-Date malformed or not the credential scope date');
  const expiresParam = params.get('X-Amz-Expires');
  const expires = expiresParam === null ? MAX_URL_AGE_S : Number(expiresParam);
  if (!/^\d{1,6}$/.test(expiresParam ?? '1') || !Number.isInteger(expires) || expires < 1 || expires > MAX_EXPIRES_S) {
    return fail('malformed-query', `X-Amz-Expires must be an integer from 1 to ${MAX_EXPIRES_S} (SigV4's one week)`);
  }
  const now = deps.clock.now();
  if (signingDate.getTime() > now + MAX_SKEW_MS) return fail('bad-date', 'X-Amz-Date is in the future');
  if (now > signingDate.getTime() + Math.min(expires, MAX_URL_AGE_S) * 1000)
    return fail('url-expired', 'presigned URL expired; sign a new URL for every connection attempt');

  const token = params.get('X-Amz-Security-Token') ?? undefined;
  let secretAccessKey: string;
  let signer: SigV4Signer;
  if (deps.backend !== undefined && token === undefined && sameSecret(accessKeyId, deps.backend.accessKeyId)) {
    secretAccessKey = deps.backend.secretAccessKey;
    signer = { kind: 'backend' };
  } else {
    const lookup = await deps.identities.lookup(accessKeyId, token);
    if (!lookup.ok) return fail(lookup.check, 'credentials not accepted');
    const { credentials } = lookup;
    secretAccessKey = credentials.secretAccessKey;
    signer = {
      kind: 'identity',
      identityId: credentials.identityId,
      credentialsExpireAt: Date.parse(credentials.expiresAt),
    };
  }

  const scope = { accessKeyId, secretAccessKey, longDate, region, service: SERVICE };
  const given = params.get('X-Amz-Signature') ?? '';
  const query: Record<string, string> = {};
  for (const [name, value] of params) if (name !== 'X-Amz-Signature') query[name] = value;
  const withoutToken = { ...query };
  delete withoutToken['X-Amz-Security-Token'];
  const hostHeader = signedHeaders.host ?? '';
  for (const host of new Set([hostHeader, hostHeader.replace(/:\d+$/, '')])) {
    for (const signedQuery of token === undefined ? [query] : [withoutToken, query]) {
      const request = { path: url.pathname, headers: { ...signedHeaders, host }, query: signedQuery };
      const expected = await presignedSignature(request, scope);
      if (sameSecret(expected, given)) return { ok: true, accessKeyId, signer };
    }
  }
  return fail('bad-signature', 'signature does not match (signed headers, path /mqtt, query and date checked)');
}
