import type { DisconnectInfo } from '../mqtt/mqtt-engine.js';
import { ERROR_CODES, WebcommError, type WebcommErrorCode } from '../errors.js';

/** MQTT 5 DISCONNECT reason codes a server sends, by what they mean to the client. */
export const DISCONNECT_REASONS = {
  NORMAL: 0x00,
  NOT_AUTHORIZED: 0x87,
  SERVER_SHUTTING_DOWN: 0x8b,
  KEEP_ALIVE_TIMEOUT: 0x8d,
  SESSION_TAKEN_OVER: 0x8e,
  QUOTA_EXCEEDED: 0x97,
  ADMINISTRATIVE_ACTION: 0x98,
  CONNECTION_RATE_EXCEEDED: 0x9f,
} as const;

const MAPPED: Readonly<Record<number, readonly [code: WebcommErrorCode, fatal: boolean, text: string]>> = {
  [DISCONNECT_REASONS.NORMAL]: [ERROR_CODES.NETWORK, false, 'the server closed the link (0x00); reconnecting'],
  [DISCONNECT_REASONS.SESSION_TAKEN_OVER]: [ERROR_CODES.TAKEN_OVER, false, 'another connection with this client ID took the session over (0x8E); give every process its own client ID'],
  [DISCONNECT_REASONS.ADMINISTRATIVE_ACTION]: [ERROR_CODES.KICKED, false, 'the server ended the link by administrative action (0x98, e.g. a kick or DeleteConnection); reconnecting'],
  [DISCONNECT_REASONS.QUOTA_EXCEEDED]: [ERROR_CODES.THROTTLED, false, 'the broker is over a quota (0x97 quota exceeded); reconnecting after a longer backoff'],
  [DISCONNECT_REASONS.CONNECTION_RATE_EXCEEDED]: [ERROR_CODES.THROTTLED, false, 'the broker is over its connection rate (0x9F); reconnecting after a longer backoff'],
  [DISCONNECT_REASONS.NOT_AUTHORIZED]: [ERROR_CODES.NOT_AUTHORIZED, true, 'not authorized (0x87); check the identity\'s policy or registration'],
  [DISCONNECT_REASONS.SERVER_SHUTTING_DOWN]: [ERROR_CODES.NETWORK, false, 'the server is shutting down (0x8B); reconnecting'],
  [DISCONNECT_REASONS.KEEP_ALIVE_TIMEOUT]: [ERROR_CODES.DEAD_LINK, false, 'the server heard nothing from this client within 1.5 × keepalive (0x8D); replacing the link'],
};

/** Errors made from a server's DISCONNECT: the link's end is explained, not a refusal by close. */
const FROM_DISCONNECT = new WeakSet<WebcommError>();

/** True when `error` came from a server's DISCONNECT reason code (see {@link classifyDisconnect}). */
export function isFromDisconnect(error: WebcommError): boolean {
  return FROM_DISCONNECT.has(error);
}

/**
 * What a server's MQTT 5 DISCONNECT means, as a {@link WebcommError}: the reason code decides,
 * exactly, with no guessing from timing (MQTT 3.1.1 servers just close, and the client falls back
 * to its heuristics there). Codes not listed are a transient `PROTOCOL` error naming the code.
 */
export function classifyDisconnect(info: DisconnectInfo, endpoint: string): WebcommError {
  const hex = `0x${info.reasonCode.toString(16).toUpperCase().padStart(2, '0')}`;
  const why = info.reasonString === undefined ? '' : ` Server says: "${info.reasonString}".`;
  const mapped = MAPPED[info.reasonCode];
  if (mapped !== undefined) {
    const [code, fatal, text] = mapped;
    return mark(new WebcommError(code, `${endpoint} sent DISCONNECT ${hex}: ${text}.${why}`, { fatal, cause: info }));
  }
  return mark(new WebcommError(ERROR_CODES.PROTOCOL, `${endpoint} sent DISCONNECT ${hex}; reconnecting.${why}`, { cause: info }));
}

function mark(error: WebcommError): WebcommError {
  FROM_DISCONNECT.add(error);
  return error;
}
