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
  [DISCONNECT_REASONS.NORMAL]: [ERROR_CODES.NETWORK, false, 'closed'],
  [DISCONNECT_REASONS.SESSION_TAKEN_OVER]: [
    ERROR_CODES.TAKEN_OVER,
    false,
    'session taken over by another connection with this client ID; give each process its own',
  ],
  [DISCONNECT_REASONS.ADMINISTRATIVE_ACTION]: [ERROR_CODES.KICKED, false, 'administrative action (a kick or ban)'],
  [DISCONNECT_REASONS.QUOTA_EXCEEDED]: [ERROR_CODES.THROTTLED, false, 'quota exceeded; backing off further'],
  [DISCONNECT_REASONS.CONNECTION_RATE_EXCEEDED]: [
    ERROR_CODES.THROTTLED,
    false,
    'connection rate exceeded; backing off further',
  ],
  [DISCONNECT_REASONS.NOT_AUTHORIZED]: [ERROR_CODES.NOT_AUTHORIZED, true, 'not authorized; check the policy'],
  [DISCONNECT_REASONS.SERVER_SHUTTING_DOWN]: [ERROR_CODES.NETWORK, false, 'server shutting down'],
  [DISCONNECT_REASONS.KEEP_ALIVE_TIMEOUT]: [ERROR_CODES.DEAD_LINK, false, 'keep-alive timeout'],
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
  return mark(new WebcommError(ERROR_CODES.PROTOCOL, `${endpoint} sent DISCONNECT ${hex}.${why}`, { cause: info }));
}

function mark(error: WebcommError): WebcommError {
  FROM_DISCONNECT.add(error);
  return error;
}
