/**
 * The SigV4 signature a presigned GET must carry, built from `@smithy/signature-v4`'s
 * exported steps (`getCanonicalQuery`, `getSigningKey`) rather than by subclassing
 * `SignatureV4` and calling its protected methods. smithy marks these exports `@internal`
 * too, so `presigned-signature.test.ts` checks the result against smithy's own public
 * `presign()`: if an upgrade changes either, that test fails before a client is refused.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { getCanonicalHeaders, getCanonicalQuery, getSigningKey } from '@smithy/signature-v4';

/** The SHA-256 of an empty payload: a WebSocket upgrade has no body. */
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** What a presigned GET signed: everything but `X-Amz-Signature`, and the headers it lists as signed. */
export interface PresignedGet {
  readonly path: string;
  /**
   * Exactly the signed headers (`X-Amz-SignedHeaders`), lower-case names, values as the request
   * carried them: `{ host }` for the v1 SDK and smithy, `{ connection, host }` for aws-crt.
   */
  readonly headers: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, string>>;
}

/** The signing identity and scope taken from `X-Amz-Credential` and `X-Amz-Date`. */
export interface SigningScope {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** `YYYYMMDDTHHMMSSZ`. */
  readonly longDate: string;
  readonly region: string;
  readonly service: string;
}

/** RFC 3986 escaping of a path, as SigV4 canonical URIs use it (slashes kept). */
function canonicalPath(path: string): string {
  const escaped = encodeURIComponent(path).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return escaped.replace(/%2F/g, '/');
}

async function sha256Hex(data: string, key?: Uint8Array): Promise<string> {
  const hash = new Sha256(key);
  hash.update(data);
  return Buffer.from(await hash.digest()).toString('hex');
}

/** The hex signature SigV4 gives `request` under `scope`. */
export async function presignedSignature(request: PresignedGet, scope: SigningScope): Promise<string> {
  const names = Object.keys(request.headers).sort();
  const httpRequest = new HttpRequest({
    method: 'GET',
    hostname: request.headers.host ?? '',
    path: request.path,
    query: { ...request.query },
    headers: { ...request.headers },
  });
  // smithy's own value normalisation (trimmed, inner spaces collapsed); naming the headers as
  // signable keeps `connection`, which SigV4 signers otherwise leave out, when the client signed it.
  const canonical = getCanonicalHeaders(httpRequest, undefined, new Set(names));
  const canonicalRequest = [
    'GET',
    canonicalPath(request.path),
    getCanonicalQuery(httpRequest),
    ...names.map((name) => `${name}:${canonical[name] ?? ''}`),
    '',
    names.join(';'),
    EMPTY_SHA256,
  ].join('\n');
  const shortDate = scope.longDate.slice(0, 8);
  const credentialScope = `${shortDate}/${scope.region}/${scope.service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', scope.longDate, credentialScope, await sha256Hex(canonicalRequest)].join(
    '\n',
  );
  const key = await getSigningKey(
    Sha256,
    { accessKeyId: scope.accessKeyId, secretAccessKey: scope.secretAccessKey },
    shortDate,
    scope.region,
    scope.service,
  );
  return sha256Hex(stringToSign, key);
}
