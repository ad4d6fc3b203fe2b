import { ERROR_CODES, WebcommError } from '../errors.js';
import { MqttProtocolError } from '../mqtt/protocol-error.js';
import type { Transport } from '../transport.js';

// CONNACK return codes (MQTT 3.1.1) and reason codes (MQTT 5) that retrying cannot fix.
const FATAL_CONNACK: Readonly<Record<number, [code: WebcommError['code'], text: string]>> = {
  1: [ERROR_CODES.PROTOCOL, 'the broker does not accept this MQTT protocol version; set protocolVersion.'],
  2: [ERROR_CODES.NOT_AUTHORIZED, 'the broker rejected the client ID; use the client ID from registration.'],
  4: [ERROR_CODES.BAD_CREDENTIALS, 'bad user name or password; obtain fresh credentials (register again).'],
  5: [ERROR_CODES.NOT_AUTHORIZED, "not authorized; check the identity's policy or registration."],
  0x84: [ERROR_CODES.PROTOCOL, 'unsupported protocol version; set protocolVersion.'],
  0x85: [ERROR_CODES.NOT_AUTHORIZED, 'client identifier not valid; use the client ID from registration.'],
  0x86: [ERROR_CODES.BAD_CREDENTIALS, 'bad user name or password; obtain fresh credentials (register again).'],
  0x87: [ERROR_CODES.NOT_AUTHORIZED, "not authorized; check the identity's policy or registration."],
  0x8a: [ERROR_CODES.BANNED, 'this identity is banned; contact the service operator.'],
};

/**
 * CONNACK codes that say the broker is over a quota: 3.1.1's 3 "server unavailable" (what IoT
 * Core answers past 500 CONNECT/s per account) and MQTT 5's 0x88 server unavailable, 0x89 server
 * busy, 0x97 quota exceeded and 0x9F connection rate exceeded. Retried, after a longer backoff.
 */
const THROTTLED_CONNACK = new Set([3, 0x88, 0x89, 0x97, 0x9f]);

/**
 * Maps any failure of a connection attempt or link to a {@link WebcommError}: our own errors
 * pass through, then the transport's `classifyError` decides, then CONNACK codes, then
 * everything else is a transient `NETWORK` (or `DEAD_LINK` for a keepalive timeout).
 */
export function classifyError(error: unknown, transport: Transport): WebcommError {
  if (error instanceof WebcommError) return error;
  const fromTransport = transport.classifyError?.(error);
  if (fromTransport !== undefined) return fromTransport;
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof MqttProtocolError)
    return new WebcommError(ERROR_CODES.PROTOCOL, `The broker broke the protocol (${message}); reconnecting.`, {
      cause: error,
    });
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'number') {
    const fatal = FATAL_CONNACK[code];
    if (fatal !== undefined) {
      return new WebcommError(fatal[0], `Connection refused (CONNACK ${code}): ${fatal[1]}`, {
        cause: error,
        fatal: true,
      });
    }
    if (THROTTLED_CONNACK.has(code)) {
      return new WebcommError(
        ERROR_CODES.THROTTLED,
        `Connection refused (CONNACK ${code}, over quota): ${message}; backing off further.`,
        {
          cause: error,
        },
      );
    }
    return new WebcommError(ERROR_CODES.PROTOCOL, `Connection refused (CONNACK ${code}): ${message}; will retry.`, {
      cause: error,
    });
  }
  if (/keepalive timeout/i.test(message)) {
    return new WebcommError(ERROR_CODES.DEAD_LINK, 'The broker stopped answering pings; replacing the link.', {
      cause: error,
    });
  }
  return new WebcommError(ERROR_CODES.NETWORK, `Network failure: ${message}; will retry.`, { cause: error });
}
