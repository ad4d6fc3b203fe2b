/** Builds IoT-style presigned WebSocket URLs with the real `@smithy/signature-v4` for tests. */
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '@aws-crypto/sha256-js';
import { IOT_SIGNING_SERVICE } from '../src/auth/sigv4-verifier.js';

/** Temporary credentials as Cognito returns them. */
export interface TestCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
}

/**
 * Presigns `GET <url>`: `tokenMode` `appended` signs without the token and appends it
 * (AWS IoT SDKs), `signed` lets `presign` sign it with the query.
 */
export async function presignMqttUrl(
  wsUrl: string,
  credentials: TestCredentials,
  options: {
    region: string;
    tokenMode: 'appended' | 'signed';
    signingDate?: Date;
    signHostWithPort?: boolean;
    /** `X-Amz-Expires`, seconds (IoT Core honours at most 900 whatever it says). @default 900 */
    expiresIn?: number;
    /** Headers signed besides `host` (aws-crt signs `connection: Upgrade`). @default none */
    alsoSign?: Record<string, string>;
  },
): Promise<string> {
  const url = new URL(wsUrl);
  const signer = new SignatureV4({
    service: IOT_SIGNING_SERVICE,
    region: options.region,
    sha256: Sha256,
    credentials:
      options.tokenMode === 'signed'
        ? credentials
        : { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey },
  });
  const request = new HttpRequest({
    method: 'GET',
    protocol: url.protocol,
    hostname: url.hostname,
    port: Number(url.port),
    path: url.pathname,
    headers: { ...options.alsoSign, host: options.signHostWithPort === false ? url.hostname : url.host },
  });
  const signed = await signer.presign(request, {
    expiresIn: options.expiresIn ?? 900,
    signableHeaders: new Set(Object.keys(options.alsoSign ?? {})),
    ...(options.signingDate ? { signingDate: options.signingDate } : {}),
  });
  const query = Object.entries(signed.query ?? {}).map(
    ([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(String(value))}`,
  );
  if (options.tokenMode === 'appended')
    query.push(`X-Amz-Security-Token=${encodeURIComponent(credentials.sessionToken)}`);
  return `${url.protocol}//${url.host}${url.pathname}?${query.join('&')}`;
}
