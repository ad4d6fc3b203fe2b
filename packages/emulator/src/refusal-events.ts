/**
 * Refusals as typed events, for operators and tests: why the emulator refused a connection, an
 * upgrade, a CONNECT, a SUBSCRIBE, a PUBLISH or a packet. A client sees only the outcome (a
 * closed link, CONNACK 5, HTTP 403, SUBACK 0x87); the reason is the operator's, and a log line
 * is words for people, not a contract. Every refusal that logs also emits one {@link Refusal}
 * here, at the same point, with a stable {@link RefusalReason} to match on.
 */
import type { AuthorizerRefusal } from './auth/custom-authorizer.js';
import type { SigV4Check } from './auth/sigv4-verifier.js';
import type { TransportKind } from './broker/transport-auth.js';
import type { Logger } from './logger.js';

/** What the refused client was doing. */
export type RefusalAction =
  /** Opening a link and sending CONNECT: TLS, admission before CONNECT, and the CONNECT's checks. */
  | 'connect'
  /** The HTTP upgrade to MQTT over WebSocket (answered with an HTTP status and a JSON body). */
  | 'upgrade'
  | 'subscribe'
  | 'publish'
  /** Sending any packet over `limits.maxPacketBytes` (checked from its fixed header). */
  | 'packet';

/** Why a CONNECT was refused (the client gets CONNACK 5, or its socket closed before CONNECT). */
export type ConnectRefusalReason =
  /** More than `maxPendingConnectionsPerAddress` links from one address without a completed CONNECT. */
  | 'too-many-pending'
  /** No CONNECT completed within `connectTimeoutMs`. */
  | 'connect-timeout'
  | 'tls-handshake-failed'
  /** mqtts without a certificate from the local CA (and not ALPN `mqtt` for a custom authorizer). */
  | 'certificate-required'
  | 'certificate-without-cn'
  | 'certificate-revoked'
  | 'client-id-empty'
  /** Over `limits.maxClientIdBytes` (128) bytes of UTF-8. */
  | 'client-id-too-long'
  /** Starts with `$`. */
  | 'client-id-reserved'
  /** Holds U+0000. */
  | 'client-id-invalid'
  /** The credential (certificate CN, SigV4 identity) is for another client id. */
  | 'client-id-mismatch'
  /** An anonymous CONNECT with the client id of a live authenticated connection. */
  | 'client-id-in-use'
  /** An anonymous CONNECT with the client id of a registered client. */
  | 'client-id-registered'
  /** No certificate, signed URL or custom authorizer, and anonymous access is off on this listener. */
  | 'no-credentials'
  | 'banned'
  /** A custom authorizer's policy document does not parse. */
  | 'bad-policy-document'
  /** The policy does not allow the action (`iot:Connect`, `iot:Subscribe`, `iot:Publish`). */
  | 'policy-denied'
  | AuthorizerRefusal;

/** Why the `/mqtt` WebSocket upgrade was refused (the client gets {@link Refusal.status}). */
export type UpgradeRefusalReason = 'bad-request-target' | 'wrong-path' | 'banned' | SigV4Check | AuthorizerRefusal;

/** Why a SUBSCRIBE or PUBLISH was refused (IoT Core's limits and the connection's policy). */
export type PacketRefusalReason =
  | 'topic-empty'
  /** Over `limits.maxTopicBytes` (256) bytes. */
  | 'topic-too-long'
  /** More than `limits.maxTopicSlashes` (7) slashes. */
  | 'topic-too-deep'
  /** Over `limits.maxPayloadBytes` (131072). */
  | 'payload-too-large'
  | 'qos2-unsupported'
  /** A PUBLISH to `$aws/events/...` or `$SYS/...`. */
  | 'reserved-topic'
  /** More than `limits.maxFiltersPerSubscribe` (8) filters in one SUBSCRIBE. */
  | 'too-many-filters'
  /** More than `limits.maxSubscriptionsPerConnection` (50) on one connection. */
  | 'too-many-subscriptions'
  /** A packet over `limits.maxPacketBytes`. */
  | 'packet-too-large'
  /** An MQTT 5 SUBSCRIBE with a subscription identifier (IoT Core supports none). */
  | 'subscription-identifier'
  | 'no-session'
  | 'banned'
  | 'policy-denied';

/** Every refusal reason: stable strings to match on. */
export type RefusalReason = ConnectRefusalReason | UpgradeRefusalReason | PacketRefusalReason;

/** One refusal, emitted where the emulator logs it. Holds no secret. */
export interface Refusal {
  readonly action: RefusalAction;
  readonly reason: RefusalReason;
  /** The listener the link came through. */
  readonly transport: TransportKind;
  readonly ipAddress: string;
  /** The client id, once a CONNECT named one. */
  readonly clientId?: string;
  /** The topic or filter of a refused SUBSCRIBE or PUBLISH. */
  readonly topic?: string;
  /** `upgrade` only: the HTTP status the client got. */
  readonly status?: number;
  /** `upgrade` only: the `traceId` of the JSON body the client got, to match a user's report. */
  readonly traceId?: string;
  /**
   * True when the link stays up: a policy refusal told to an MQTT 5 client by reason code 0x87
   * (SUBACK, PUBACK). Otherwise the link is closed (or, for `connect`, never opened).
   */
  readonly linkKept: boolean;
  /** The words of the log line, for people; match on {@link Refusal.reason}, not on this. */
  readonly detail: string;
}

/** Receives each {@link Refusal}. */
export type RefusalListener = (refusal: Refusal) => void;

/** The emulator's refusal listeners. A listener that throws is logged and kept; the emulator goes on. */
export class RefusalEvents {
  readonly #listeners = new Set<RefusalListener>();
  readonly #logger: Logger;

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  /** Adds `listener`; the returned function removes it. */
  on(listener: RefusalListener): () => void {
    // A wrapper per call, so the same function added twice is two listeners, each removed by its own call.
    const entry: RefusalListener = (refusal) => listener(refusal);
    this.#listeners.add(entry);
    return () => void this.#listeners.delete(entry);
  }

  /** Hands `refusal` to every listener. */
  emit(refusal: Refusal): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(refusal);
      } catch (error) {
        this.#logger.warn(`a refusal listener threw: ${(error as Error)?.message ?? String(error)}`);
      }
    }
  }
}
