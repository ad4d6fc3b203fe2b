import { ERROR_CODES, WebcommError } from '@webcomm/core';
import { assertKnownOptions, pickOptions } from '@webcomm/core/internal'; // internal: assertKnownOptions, pickOptions
import type { AwsCredentials } from './credentials.js';
import { regionFromIotEndpoint, webSocketUrl } from './endpoint-url.js';
import { PRESIGN_URL_KEYS, presignUrl, type PresignUrlOptions } from './presign-url.js';

/** Options of {@link presignIotUrl}. */
export interface PresignIotUrlOptions extends Omit<PresignUrlOptions, 'region' | 'service'> {
  /** IoT data endpoint (`abc-ats.iot.eu-west-1.amazonaws.com`) or a ws(s):// URL (emulator). */
  readonly endpoint: string;
  /** Credentials to sign with; the session token is appended after signing. */
  readonly credentials: AwsCredentials;
  /**
   * Signing region.
   * @default the region in `endpoint` (required when the endpoint has none, e.g. the emulator)
   */
  readonly region?: string;
}

/** The signing service of AWS IoT's MQTT-over-WebSocket endpoint. */
export const IOT_SIGNING_SERVICE = 'iotdevicegateway';

/**
 * A SigV4-presigned `wss://HOST/mqtt` URL for AWS IoT Core (or the emulator). Call it for
 * every connection attempt: the URL is only valid for a short while after `signingDate`.
 */
export async function presignIotUrl(options: PresignIotUrlOptions): Promise<string> {
  assertKnownOptions(options, [...PRESIGN_URL_KEYS.filter((k) => k !== 'service'), 'endpoint'], 'presignIotUrl()');
  const url = webSocketUrl(options.endpoint);
  const region = options.region ?? regionFromIotEndpoint(url.hostname);
  if (region === undefined) {
    throw new WebcommError(
      ERROR_CODES.INVALID_OPTION,
      `Cannot tell the AWS region from endpoint "${url.host}": pass region (e.g. "eu-west-1", or the emulator's "local-1").`,
    );
  }
  return presignUrl(url, {
    ...(pickOptions(options, PRESIGN_URL_KEYS) as Omit<PresignUrlOptions, 'region' | 'service'>),
    region,
    service: IOT_SIGNING_SERVICE,
  });
}
