/**
 * Every error webcomm throws, rejects with or emits is a {@link WebcommError} with a stable
 * `code`. Match on `code`, never on the message: messages say what to do and may improve.
 */
export const ERROR_CODES = {
  /** An option passed to a constructor or function is invalid. */
  INVALID_OPTION: 'WEBCOMM_INVALID_OPTION',
  /** A topic, channel name or filter breaks a rule (UTF-8, wildcards, length, levels). */
  INVALID_TOPIC: 'WEBCOMM_INVALID_TOPIC',
  /** `subscribe()` got a plain name that is none of the configured channels (a misspelt channel, usually). */
  UNKNOWN_CHANNEL: 'WEBCOMM_UNKNOWN_CHANNEL',
  /** A payload is too large or cannot be encoded. */
  INVALID_PAYLOAD: 'WEBCOMM_INVALID_PAYLOAD',
  /** A received payload could not be decoded by the channel's decoder. */
  DECODE_FAILED: 'WEBCOMM_DECODE_FAILED',
  /** A message handler threw or rejected. */
  HANDLER_FAILED: 'WEBCOMM_HANDLER_FAILED',
  /** Publishing to a channel that was not opted in for publishing. */
  PUBLISH_NOT_ENABLED: 'WEBCOMM_PUBLISH_NOT_ENABLED',
  /** The offline queue is full and its policy rejected or dropped the message. */
  QUEUE_FULL: 'WEBCOMM_QUEUE_FULL',
  /** A queued message outlived its time to live before it could be sent. */
  MESSAGE_EXPIRED: 'WEBCOMM_MESSAGE_EXPIRED',
  /** An operation did not finish within its timeout. */
  TIMEOUT: 'WEBCOMM_TIMEOUT',
  /** An operation was aborted through its AbortSignal. */
  ABORTED: 'WEBCOMM_ABORTED',
  /** The client was closed before the operation finished. */
  CLOSED: 'WEBCOMM_CLOSED',
  /**
   * The broker refused the subscription: a failure code in SUBACK, or (IoT Core on MQTT 3.1.1)
   * it closed the connection each time the filter was sent. The filter is removed.
   */
  SUBSCRIBE_REFUSED: 'WEBCOMM_SUBSCRIBE_REFUSED',
  /**
   * The broker refused one publish by closing the connection each time it was sent (a topic
   * outside the policy on IoT Core over MQTT 3.1.1). Fatal for that message only.
   */
  PUBLISH_REFUSED: 'WEBCOMM_PUBLISH_REFUSED',
  /** A server-side rule (the emulator's `rules` option) has a bad name, no handler, or SQL outside the supported forms. */
  INVALID_RULE: 'WEBCOMM_INVALID_RULE',
  /** The server rejected the credentials (wrong, expired or unknown). Fatal: no retry. */
  BAD_CREDENTIALS: 'WEBCOMM_BAD_CREDENTIALS',
  /** The server says this identity may not connect or do this. Fatal: no retry. */
  NOT_AUTHORIZED: 'WEBCOMM_NOT_AUTHORIZED',
  /** The service banned this identity. Fatal: no retry. */
  BANNED: 'WEBCOMM_BANNED',
  /** A network-level failure (refused, reset, DNS, TLS handshake). Transient: retried. */
  NETWORK: 'WEBCOMM_NETWORK',
  /** The link stopped answering (no data within 1.5 × keepalive) and was replaced. */
  DEAD_LINK: 'WEBCOMM_DEAD_LINK',
  /** Another connection with the same client ID took this one over. */
  TAKEN_OVER: 'WEBCOMM_TAKEN_OVER',
  /**
   * The server ended the link by administrative action (MQTT 5 DISCONNECT 0x98: IoT Core's
   * `DeleteConnection`, an operator's kick). Retried with backoff; `BANNED` instead when the
   * service says so.
   */
  KICKED: 'WEBCOMM_KICKED',
  /**
   * The broker is over a quota (MQTT 5 reason 0x97 in DISCONNECT, CONNACK or PUBACK; CONNACK
   * 0x88/0x89/0x9F; MQTT 3.1.1 CONNACK 3 "server unavailable"). Reconnects back off further.
   */
  THROTTLED: 'WEBCOMM_THROTTLED',
  /** Another live process holds the cached identity this one asked for (`onIdentityInUse: 'error'`, or every slot taken). */
  IDENTITY_IN_USE: 'WEBCOMM_IDENTITY_IN_USE',
  /** The MQTT protocol layer reported an error. */
  PROTOCOL: 'WEBCOMM_PROTOCOL',
  /** A certificate, key or CA file is missing, unreadable or not PEM. Fatal. */
  CERTIFICATE_UNREADABLE: 'WEBCOMM_CERTIFICATE_UNREADABLE',
  /** The private key does not belong to the client certificate. Fatal. */
  CERTIFICATE_KEY_MISMATCH: 'WEBCOMM_CERTIFICATE_KEY_MISMATCH',
  /** The client certificate is expired or not yet valid. Fatal. */
  CERTIFICATE_EXPIRED: 'WEBCOMM_CERTIFICATE_EXPIRED',
  /** The server rejected our client certificate (unknown, revoked, expired). Fatal. */
  CERTIFICATE_REJECTED: 'WEBCOMM_CERTIFICATE_REJECTED',
  /** The server's certificate is not trusted (unknown CA) or not for this host name. Fatal. */
  SERVER_UNTRUSTED: 'WEBCOMM_SERVER_UNTRUSTED',
  /** The service rate-limited this client (HTTP 429); retry later. */
  RATE_LIMITED: 'WEBCOMM_RATE_LIMITED',
  /** The registration service refused or failed the request. */
  REGISTRATION_FAILED: 'WEBCOMM_REGISTRATION_FAILED',
} as const;

/** A stable error code; see {@link ERROR_CODES}. */
export type WebcommErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES];

/** Options for {@link WebcommError}. */
export interface WebcommErrorOptions {
  /** The underlying error. */
  cause?: unknown;
  /** True when retrying cannot help (bad credentials, banned, not authorized). */
  fatal?: boolean;
  /** The topic or channel involved, when there is one. */
  topic?: string;
}

/**
 * Marks every WebcommError, whichever copy of this module made it. An app can load core more
 * than once (its ESM and CJS builds, or the copy bundled into another package's build), and
 * each copy has its own class, so a plain `instanceof` across copies is false. The brand is a
 * registered symbol, the same in every copy and realm (undici's pattern).
 */
const BRAND = Symbol.for('webcomm.error');

/**
 * The one base class of every webcomm error. `error instanceof WebcommError` and
 * {@link isWebcommError} hold for a WebcommError from any copy of `@webcomm/core` (ESM, CJS,
 * bundled), through a `Symbol.for` brand.
 */
export class WebcommError extends Error {
  /** Stable machine-readable code; see {@link ERROR_CODES}. */
  readonly code: WebcommErrorCode;
  /** True when retrying cannot help; the client stops in state `failed`. */
  readonly fatal: boolean;
  /** The topic or channel involved, when there is one. */
  readonly topic: string | undefined;

  constructor(code: WebcommErrorCode, message: string, options: WebcommErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.fatal = options.fatal ?? false;
    this.topic = options.topic;
    // Not enumerable: the brand stays out of console.log and JSON of the error.
    Object.defineProperty(this, BRAND, { value: true });
  }

  /** `instanceof` by brand, so it answers the same for every copy of this class. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as { [BRAND]?: unknown })[BRAND] === true;
  }
}

/** True when `error` is a {@link WebcommError}, optionally with the given code. */
export function isWebcommError(error: unknown, code?: WebcommErrorCode): error is WebcommError {
  return error instanceof WebcommError && (code === undefined || error.code === code);
}

/** The error of every call on, and every wait cut by, a closed client. */
export const closedError = (): WebcommError =>
  new WebcommError(ERROR_CODES.CLOSED, 'The client was closed; create a new client to connect again.');
