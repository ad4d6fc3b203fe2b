import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import type { ChecksumConstructor } from '@smithy/types';
import { ERROR_CODES, WebcommError } from '@webcomm/core';
import { assertKnownOptions, optionKeys } from '@webcomm/core/internal'; // internal: assertKnownOptions, optionKeys
import { validateCredentials, type AwsCredentials } from './credentials.js';
import { uriEscape } from './uri-escape.js';

/** Options of {@link presignUrl}. */
export interface PresignUrlOptions {
  /** Credentials to sign with. */
  readonly credentials: AwsCredentials;
  /** Signing region, e.g. `"eu-west-1"`. */
  readonly region: string;
  /** Signing service name, e.g. `"iotdevicegateway"`. */
  readonly service: string;
  /**
   * The signing time. Sign at the moment of use: a presigned URL is accepted for a short while only.
   * @default new Date()
   */
  readonly signingDate?: Date;
  /**
   * `X-Amz-Expires`. `@smithy/signature-v4` always signs one; 86,400 is what AWS's IoT
   * WebSocket sample sends (AWS IoT honours about 15 minutes whatever it says).
   * @default 86_400
   */
  readonly expiresInSeconds?: number;
  /**
   * `"append"`: sign without the session token and append `X-Amz-Security-Token` after the
   * signature, as AWS IoT wants. `"sign"`: sign it like any other parameter (generic AWS presigning).
   * @default "append"
   */
  readonly sessionToken?: 'append' | 'sign';
  /**
   * SHA-256 implementation (anything with smithy's `Checksum` shape).
   * @default Sha256 from `@aws-crypto/sha256-js` (works without WebCrypto, i.e. on http:// pages too)
   */
  readonly sha256?: ChecksumConstructor;
}

/** Every key of {@link PresignUrlOptions}. */
export const PRESIGN_URL_KEYS = optionKeys<PresignUrlOptions>({
  credentials: true,
  region: true,
  service: true,
  signingDate: true,
  expiresInSeconds: true,
  sessionToken: true,
  sha256: true,
});

const AMZ_ORDER = ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-SignedHeaders', 'X-Amz-Expires'];

/**
 * Presigns a GET of `url` with SigV4 query parameters (signed header: `host`, as the client
 * will send it, including a non-default port; empty payload). The URL's own query parameters
 * are signed and kept first. Pure apart from the clock default; needs no Node built-ins.
 */
export async function presignUrl(url: string | URL, options: PresignUrlOptions): Promise<string> {
  assertKnownOptions(options, PRESIGN_URL_KEYS, 'presignUrl()');
  const target = new URL(url);
  const credentials = validateCredentials(options.credentials, 'presignUrl()');
  const expiresIn = options.expiresInSeconds ?? 86_400;
  if (!Number.isInteger(expiresIn) || expiresIn < 1 || expiresIn > 604_800) {
    throw new WebcommError(
      ERROR_CODES.INVALID_OPTION,
      `expiresInSeconds must be an integer in 1…604800 (got ${expiresIn}).`,
    );
  }
  for (const name of ['region', 'service'] as const) {
    if (typeof options[name] !== 'string' || options[name] === '') {
      throw new WebcommError(ERROR_CODES.INVALID_OPTION, `${name} is required to sign a URL.`);
    }
  }
  const signToken = options.sessionToken === 'sign';
  const signer = new SignatureV4({
    credentials: {
      accessKeyId: credentials.accessKeyId,
      secretAccessKey: credentials.secretAccessKey,
      sessionToken: signToken ? credentials.sessionToken : undefined,
    },
    region: options.region,
    service: options.service,
    sha256: options.sha256 ?? Sha256,
  });
  const query: Record<string, string | string[]> = {};
  for (const [key, value] of target.searchParams) {
    const previous = query[key];
    query[key] = previous === undefined ? value : [...(Array.isArray(previous) ? previous : [previous]), value];
  }
  const signed = await signer.presign(
    {
      method: 'GET',
      protocol: target.protocol,
      hostname: target.hostname,
      port: target.port === '' ? undefined : Number(target.port),
      path: decodeURIComponent(target.pathname),
      query,
      headers: { host: target.host },
    },
    { signingDate: options.signingDate ?? new Date(), expiresIn },
  );

  const signedQuery = signed.query ?? {};
  // Serialise in a stable order: the caller's parameters, AWS's, the signature, then the token.
  const parts: string[] = [];
  const add = (key: string, value: string | string[] | null | undefined): void => {
    for (const v of Array.isArray(value) ? value : value == null ? [] : [value])
      parts.push(`${uriEscape(key)}=${uriEscape(v)}`);
  };
  for (const key of Object.keys(query)) add(key, query[key]);
  for (const key of AMZ_ORDER) add(key, signedQuery[key]);
  if (signToken) add('X-Amz-Security-Token', signedQuery['X-Amz-Security-Token']);
  add('X-Amz-Signature', signedQuery['X-Amz-Signature']);
  if (!signToken && credentials.sessionToken !== undefined) add('X-Amz-Security-Token', credentials.sessionToken);
  return `${target.protocol}//${target.host}${target.pathname}?${parts.join('&')}`;
}
