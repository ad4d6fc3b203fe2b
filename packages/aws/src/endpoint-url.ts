import { ERROR_CODES, WebcommError } from '@webcomm/core';
import { validateUrl } from '@webcomm/core/internal'; // internal: validateUrl

/**
 * Turns an endpoint as users write it into the WebSocket URL to connect to:
 * `"abc-ats.iot.eu-west-1.amazonaws.com"` → `wss://abc-ats.iot.eu-west-1.amazonaws.com/mqtt`;
 * `"ws://127.0.0.1:8080"` → `ws://127.0.0.1:8080/mqtt`; `https:`/`http:` become `wss:`/`ws:`.
 * An explicit path is kept as written, `/` included (`"ws://broker:9001/"` connects to `/`, for
 * brokers that serve WebSocket MQTT at the root); `/mqtt`, IoT Core's path, only when none is
 * given. Throws `INVALID_OPTION` naming the bad value.
 */
export function webSocketUrl(endpoint: string, optionName = 'endpoint'): URL {
  if (typeof endpoint !== 'string' || endpoint.trim() === '') {
    throw new WebcommError(
      ERROR_CODES.INVALID_OPTION,
      `${optionName} must be a host name or a ws(s):// URL (got ${String(endpoint)}).`,
    );
  }
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(endpoint) ? endpoint : `wss://${endpoint}`;
  const url = validateUrl(withScheme, optionName, ['wss:', 'ws:', 'https:', 'http:']);
  const schemes: Record<string, string> = { 'wss:': 'wss:', 'ws:': 'ws:', 'https:': 'wss:', 'http:': 'ws:' };
  const scheme = schemes[url.protocol] as string;
  if (url.username !== '' || url.password !== '') {
    throw new WebcommError(
      ERROR_CODES.INVALID_OPTION,
      `${optionName} must not contain user:password@; pass credentials through the transport options.`,
    );
  }
  // new URL() does not let the protocol switch between special and non-special schemes; rebuild.
  const path = hasExplicitPath(withScheme) ? url.pathname : '/mqtt';
  return new URL(`${scheme}//${url.host}${path}${url.search}`);
}

/** Whether the text names a path after its authority: `ws://h:1/` does, `ws://h:1` and `ws://h:1?x` don't (URL reports `/` for all three). */
function hasExplicitPath(withScheme: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*\//i.test(withScheme);
}

/** The AWS region inside an IoT data endpoint (`…iot.REGION.amazonaws.com[.cn]`), or `undefined`. */
export function regionFromIotEndpoint(hostname: string): string | undefined {
  return /(?:^|\.)iot\.([a-z]{2}(?:-[a-z]+)+-\d+)\.amazonaws\.com(?:\.cn)?$/i.exec(hostname)?.[1];
}
