import { DEFAULT_BACKOFF, type BackoffOptions } from './connection/backoff.js';
import type { ChannelPublisher } from './outbound/channel-publisher.js';
import type { Clock } from './util/clock.js';
import type { StatusCheck } from './service/service-status.js';
import type { DecodeOption } from './inbound/decoders.js';
import type { Logger, LogLevel } from './util/logger.js';
import type { OfflineQueueOptions } from './outbound/offline-queue.js';
import type { ChannelInfo } from './service/service-types.js';
import { IOT_CORE_LIMITS, type TopicLimits } from './inbound/topic-rules.js';
import type { Transport } from './transport.js';
import type { MqttEngine } from './mqtt/mqtt-engine.js';

/** How a channel publishes: not at all, straight to the broker, or through a custom path. */
export type PublishMode = false | 'broker' | ChannelPublisher;

/** A channel you declare yourself (or add options to one from registration). */
export interface ChannelConfig {
  /** Name used in `subscribe`/`publish`. */
  readonly name: string;
  /** The MQTT topic (or filter, for receive-only channels) behind the name. */
  readonly topic: string;
  /**
   * Opt-in publishing: `'broker'`, or a {@link ChannelPublisher} (e.g. the service's HTTP API).
   * @default false
   */
  readonly publish?: PublishMode;
  /**
   * Default decoder for subscriptions to this channel.
   * @default 'json'
   */
  readonly decode?: DecodeOption;
}

/** Options of {@link WebcommClient}. */
export interface WebcommClientOptions {
  /** The transport an adapter provides; `open()` is called for every connection attempt. */
  readonly transport: Transport;
  /** MQTT client ID (IoT Core: ≤ 128 bytes, no leading `$`). */
  readonly clientId: string;
  /**
   * The MQTT implementation: the lean engine (`leanEngine`, our own codec) on every platform,
   * or MQTT.js as an opt-in (`mqttJsEngine` from `@webcomm/core/mqttjs`). Every connection
   * attempt opens one link through it.
   * @default leanEngine
   */
  readonly engine?: MqttEngine;
  /**
   * Channels from registration (`ChannelInfo`, receive-only unless given `publish`) and your own.
   * @default []
   */
  readonly channels?: readonly (ChannelInfo | ChannelConfig)[];
  /**
   * MQTT keepalive in seconds; a link silent for 1.5 × this is declared dead and replaced.
   * @default 30
   */
  readonly keepaliveSeconds?: number;
  /**
   * MQTT protocol version: 4 (3.1.1, what IoT Core and aedes speak) or 5.
   * @default 4
   */
  readonly protocolVersion?: 4 | 5;
  /**
   * MQTT 5 only: how long the broker keeps this client's session after a link closes, in
   * seconds (CONNECT's session expiry interval; IoT Core allows up to 7 days, 1 h by default).
   * With `clean: false`, QoS 1 messages published meanwhile wait for the client that long.
   * @default undefined (not sent: the session ends with the link)
   */
  readonly sessionExpirySeconds?: number;
  /**
   * Clean session. With `false` the broker may keep the session; subscriptions are re-sent anyway.
   * @default true
   */
  readonly clean?: boolean;
  /**
   * Default timeout of `connect()`, in milliseconds (also bounds each attempt's CONNACK wait).
   * @default 15000
   */
  readonly connectTimeoutMs?: number;
  /**
   * Default timeout of `subscribe()`/unsubscribe, in milliseconds.
   * @default 10000
   */
  readonly subscribeTimeoutMs?: number;
  /**
   * Default timeout of `publish()` (including time in the offline queue), in milliseconds.
   * @default 30000
   */
  readonly publishTimeoutMs?: number;
  /**
   * Reconnect backoff (merged over {@link DEFAULT_BACKOFF}).
   * @default DEFAULT_BACKOFF
   */
  readonly backoff?: Partial<BackoffOptions>;
  /**
   * The backoff restarts from attempt 1 only after a link stayed up this long (ms).
   * @default 10000
   */
  readonly stableAfterMs?: number;
  /**
   * What to do when another connection with the same client ID keeps taking this one over (two
   * links in a row closed by the server within `takeoverWindowMs` of their CONNACK): `'backoff'`
   * emits `takenOver` and keeps retrying with the growing backoff (no flapping); `'stop'` ends in
   * `failed` with `WEBCOMM_TAKEN_OVER`.
   * @default 'backoff'
   */
  readonly onTakeover?: 'backoff' | 'stop';
  /**
   * A link closed by the server this soon after its CONNACK counts towards a takeover (ms).
   * @default 2000
   */
  readonly takeoverWindowMs?: number;
  /**
   * Offline queue bounds for broker publishes.
   * @default { maxCount: 100, maxBytes: 1048576, ttlMs: 60000, overflow: 'drop-oldest' }
   */
  readonly queue?: Partial<OfflineQueueOptions>;
  /**
   * Topic and payload limits checked before sending (merged over {@link IOT_CORE_LIMITS}).
   * @default IOT_CORE_LIMITS
   */
  readonly limits?: Partial<TopicLimits>;
  /**
   * MQTT rule: `a/#` also matches `a`. IoT Core does not deliver `a` to `a/#`; set `false` to
   * route exactly like IoT Core.
   * @default true
   */
  readonly hashMatchesParent?: boolean;
  /**
   * Where logs go; secrets are redacted before it is called.
   * @default silentLogger
   */
  readonly logger?: Logger;
  /**
   * Minimum level passed to `logger`.
   * @default 'info'
   */
  readonly logLevel?: LogLevel;
  /**
   * Time source and timers (inject a {@link ManualClock} in tests).
   * @default systemClock
   */
  readonly clock?: Clock;
  /**
   * Random source in [0, 1) for backoff jitter.
   * @default Math.random
   */
  readonly random?: () => number;
  /**
   * Asks the service for this client's status when the broker refuses it (CONNACK 5, a
   * rejected certificate or credentials); a `banned` answer fails the client with `BANNED`
   * instead of `NOT_AUTHORIZED`. Clients built from a registration set it (see
   * {@link serviceStatusCheck}). @default undefined (no check)
   */
  readonly statusCheck?: StatusCheck;
}

/** A channel after resolution. */
export interface ResolvedChannel {
  readonly name: string;
  readonly topic: string;
  readonly publish: PublishMode;
  readonly decode: DecodeOption | undefined;
}

/** Options after defaults and validation. */
export interface ResolvedOptions {
  readonly transport: Transport;
  readonly engine: MqttEngine;
  readonly clientId: string;
  readonly channels: ReadonlyMap<string, ResolvedChannel>;
  readonly keepaliveSeconds: number;
  readonly protocolVersion: 4 | 5;
  readonly sessionExpirySeconds: number | undefined;
  readonly clean: boolean;
  readonly connectTimeoutMs: number;
  readonly subscribeTimeoutMs: number;
  readonly publishTimeoutMs: number;
  readonly backoff: BackoffOptions;
  readonly stableAfterMs: number;
  readonly onTakeover: 'backoff' | 'stop';
  readonly takeoverWindowMs: number;
  readonly queue: OfflineQueueOptions;
  readonly limits: TopicLimits;
  readonly hashMatchesParent: boolean;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly random: () => number;
  readonly statusCheck: StatusCheck | undefined;
}

/** Defaults of every optional field of {@link WebcommClientOptions}. */
export const DEFAULTS = {
  keepaliveSeconds: 30,
  protocolVersion: 4,
  clean: true,
  connectTimeoutMs: 15_000,
  subscribeTimeoutMs: 10_000,
  publishTimeoutMs: 30_000,
  backoff: DEFAULT_BACKOFF,
  stableAfterMs: 10_000,
  onTakeover: 'backoff',
  takeoverWindowMs: 2_000,
  queue: { maxCount: 100, maxBytes: 1024 * 1024, ttlMs: 60_000, overflow: 'drop-oldest' } as OfflineQueueOptions,
  limits: IOT_CORE_LIMITS,
  hashMatchesParent: true,
  logLevel: 'info',
} as const;
