import { DEFAULT_BACKOFF, type BackoffOptions } from './connection/backoff.js';
import { assertClientOptionKeys } from './client-option-keys.js';
import type { ChannelPublisher } from './outbound/channel-publisher.js';
import { systemClock, type Clock } from './util/clock.js';
import type { StatusCheck } from './service/service-status.js';
import type { DecodeOption } from './inbound/decoders.js';
import { ERROR_CODES, WebcommError } from './errors.js';
import { createLogger, silentLogger, type Logger, type LogLevel } from './util/logger.js';
import type { OfflineQueueOptions } from './outbound/offline-queue.js';
import type { ChannelInfo } from './service/service-types.js';
import { IOT_CORE_LIMITS, assertFilter, type TopicLimits } from './inbound/topic-rules.js';
import type { Transport } from './transport.js';

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
  readonly clientId: string;
  readonly channels: ReadonlyMap<string, ResolvedChannel>;
  readonly keepaliveSeconds: number;
  readonly protocolVersion: 4 | 5;
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

function bad(option: string, problem: string): WebcommError {
  return new WebcommError(ERROR_CODES.INVALID_OPTION, `Option "${option}" ${problem}`);
}

function oneOf<T extends string>(option: string, value: T | undefined, fallback: T, allowed: readonly T[]): T {
  const v = value ?? fallback;
  if (!allowed.includes(v)) throw bad(option, `must be one of ${allowed.map((a) => `"${a}"`).join(', ')}; got ${String(value)}.`);
  return v;
}

function number(option: string, value: number | undefined, fallback: number, min: number, max = Infinity): number {
  const v = value ?? fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
    throw bad(option, `must be a number between ${min} and ${max}; got ${String(value)}.`);
  }
  return v;
}

function resolveChannels(list: WebcommClientOptions['channels'], limits: TopicLimits): Map<string, ResolvedChannel> {
  const channels = new Map<string, ResolvedChannel>();
  for (const [i, c] of (list ?? []).entries()) {
    if (typeof c?.name !== 'string' || c.name === '') throw bad(`channels[${i}].name`, 'must be a non-empty string.');
    if (channels.has(c.name)) throw bad(`channels[${i}].name`, `repeats channel "${c.name}"; names must be unique.`);
    try {
      assertFilter(c.topic, limits);
    } catch (error) {
      throw new WebcommError(ERROR_CODES.INVALID_OPTION, `Option "channels[${i}].topic" is invalid: ${(error as Error).message}`, {
        cause: error,
      });
    }
    const publish = 'publish' in c ? (c.publish ?? false) : false;
    if (publish !== false && publish !== 'broker' && typeof publish?.publish !== 'function') {
      throw bad(`channels[${i}].publish`, "must be false, 'broker' or an object with a publish() method.");
    }
    channels.set(c.name, { name: c.name, topic: c.topic, publish, decode: 'decode' in c ? c.decode : undefined });
  }
  return channels;
}

/** Validates `options` and returns a new resolved object; throws `INVALID_OPTION` naming the option. */
export function resolveOptions(options: WebcommClientOptions): ResolvedOptions {
  if (options === null || typeof options !== 'object') throw bad('options', 'must be an object.');
  assertClientOptionKeys(options, 'WebcommClient');
  const { transport } = options;
  if (transport === null || typeof transport !== 'object' || typeof transport.open !== 'function') {
    throw bad('transport', 'must be an object with an open(context) method (an adapter provides one).');
  }
  const clientId = options.clientId;
  if (typeof clientId !== 'string' || clientId === '' || new TextEncoder().encode(clientId).byteLength > 128) {
    throw bad('clientId', 'must be a non-empty string of at most 128 bytes.');
  }
  if (clientId.startsWith('$')) throw bad('clientId', 'must not start with "$" (reserved by the broker).');
  const protocolVersion = options.protocolVersion ?? DEFAULTS.protocolVersion;
  if (protocolVersion !== 4 && protocolVersion !== 5) throw bad('protocolVersion', 'must be 4 (MQTT 3.1.1) or 5.');

  const limits: TopicLimits = {
    maxTopicBytes: number('limits.maxTopicBytes', options.limits?.maxTopicBytes, DEFAULTS.limits.maxTopicBytes, 1, 65_535),
    maxTopicLevels: number('limits.maxTopicLevels', options.limits?.maxTopicLevels, DEFAULTS.limits.maxTopicLevels, 1),
    maxPayloadBytes: number('limits.maxPayloadBytes', options.limits?.maxPayloadBytes, DEFAULTS.limits.maxPayloadBytes, 0, 268_435_455),
    maxFiltersPerSubscribe: number(
      'limits.maxFiltersPerSubscribe',
      options.limits?.maxFiltersPerSubscribe,
      DEFAULTS.limits.maxFiltersPerSubscribe,
      1,
    ),
  };
  const backoff: BackoffOptions = {
    initialDelayMs: number('backoff.initialDelayMs', options.backoff?.initialDelayMs, DEFAULTS.backoff.initialDelayMs, 0),
    maxDelayMs: number('backoff.maxDelayMs', options.backoff?.maxDelayMs, DEFAULTS.backoff.maxDelayMs, 0),
    multiplier: number('backoff.multiplier', options.backoff?.multiplier, DEFAULTS.backoff.multiplier, 1),
    strategy: options.backoff?.strategy ?? DEFAULTS.backoff.strategy,
  };
  if (backoff.strategy !== 'full-jitter' && backoff.strategy !== 'decorrelated-jitter') {
    throw bad('backoff.strategy', "must be 'full-jitter' or 'decorrelated-jitter'.");
  }
  const overflow = options.queue?.overflow ?? DEFAULTS.queue.overflow;
  if (!['drop-oldest', 'drop-newest', 'reject'].includes(overflow)) {
    throw bad('queue.overflow', "must be 'drop-oldest', 'drop-newest' or 'reject'.");
  }
  const queue: OfflineQueueOptions = {
    maxCount: number('queue.maxCount', options.queue?.maxCount, DEFAULTS.queue.maxCount, 0),
    maxBytes: number('queue.maxBytes', options.queue?.maxBytes, DEFAULTS.queue.maxBytes, 0),
    ttlMs: number('queue.ttlMs', options.queue?.ttlMs, DEFAULTS.queue.ttlMs, 0),
    overflow,
  };
  const logLevel = options.logLevel ?? DEFAULTS.logLevel;
  if (!['debug', 'info', 'warn', 'error', 'silent'].includes(logLevel)) {
    throw bad('logLevel', "must be one of 'debug', 'info', 'warn', 'error', 'silent'.");
  }
  const clock = options.clock ?? systemClock;
  if (typeof clock.now !== 'function' || typeof clock.setTimeout !== 'function' || typeof clock.clearTimeout !== 'function') {
    throw bad('clock', 'must have now(), setTimeout() and clearTimeout().');
  }
  const random = options.random ?? Math.random;
  if (typeof random !== 'function') throw bad('random', 'must be a function returning a number in [0, 1).');
  if (options.statusCheck !== undefined && typeof options.statusCheck !== 'function') throw bad('statusCheck', 'must be a function (e.g. serviceStatusCheck({...})).');

  return {
    transport,
    clientId,
    channels: resolveChannels(options.channels, limits),
    keepaliveSeconds: number('keepaliveSeconds', options.keepaliveSeconds, DEFAULTS.keepaliveSeconds, 1, 65_535),
    protocolVersion,
    clean: options.clean ?? DEFAULTS.clean,
    connectTimeoutMs: number('connectTimeoutMs', options.connectTimeoutMs, DEFAULTS.connectTimeoutMs, 1),
    subscribeTimeoutMs: number('subscribeTimeoutMs', options.subscribeTimeoutMs, DEFAULTS.subscribeTimeoutMs, 1),
    publishTimeoutMs: number('publishTimeoutMs', options.publishTimeoutMs, DEFAULTS.publishTimeoutMs, 1),
    backoff,
    stableAfterMs: number('stableAfterMs', options.stableAfterMs, DEFAULTS.stableAfterMs, 0),
    onTakeover: oneOf('onTakeover', options.onTakeover, DEFAULTS.onTakeover, ['backoff', 'stop'] as const),
    takeoverWindowMs: number('takeoverWindowMs', options.takeoverWindowMs, DEFAULTS.takeoverWindowMs, 0),
    queue,
    limits,
    hashMatchesParent: options.hashMatchesParent ?? DEFAULTS.hashMatchesParent,
    logger: createLogger(options.logger ?? silentLogger, logLevel),
    clock,
    random,
    statusCheck: options.statusCheck,
  };
}
