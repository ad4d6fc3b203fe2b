/**
 * Turns the options a user passes into the {@link ResolvedOptions} the client runs on: validates
 * each (an `INVALID_OPTION` error naming the option and the fix), fills in {@link DEFAULTS}, and
 * returns a new object (the caller's is never mutated).
 */
import { leanEngine } from './mqtt/lean-engine.js';
import { assertClientOptionKeys } from './client-option-keys.js';
import type { BackoffOptions } from './connection/backoff.js';
import { ERROR_CODES, WebcommError } from './errors.js';
import { assertFilter, type TopicLimits } from './inbound/topic-rules.js';
import { DEFAULTS, type ResolvedChannel, type ResolvedOptions, type WebcommClientOptions } from './options.js';
import type { OfflineQueueOptions } from './outbound/offline-queue.js';
import { systemClock } from './util/clock.js';
import { createLogger, silentLogger } from './util/logger.js';

function bad(option: string, problem: string): WebcommError {
  return new WebcommError(ERROR_CODES.INVALID_OPTION, `Option "${option}" ${problem}`);
}

function oneOf<T extends string>(option: string, value: T | undefined, fallback: T, allowed: readonly T[]): T {
  const v = value ?? fallback;
  if (!allowed.includes(v))
    throw bad(option, `must be one of ${allowed.map((a) => `"${a}"`).join(', ')}; got ${String(value)}.`);
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
      throw new WebcommError(
        ERROR_CODES.INVALID_OPTION,
        `Option "channels[${i}].topic" is invalid: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
    const publish = 'publish' in c ? (c.publish ?? false) : false;
    if (publish !== false && publish !== 'broker' && typeof publish?.publish !== 'function') {
      throw bad(`channels[${i}].publish`, "must be false, 'broker' or an object with a publish() method.");
    }
    channels.set(c.name, { name: c.name, topic: c.topic, publish, decode: 'decode' in c ? c.decode : undefined });
  }
  return channels;
}

/**
 * The nested options a client gets when it sets none of them: one frozen object shared by every
 * such client (three objects fewer per client; a fleet of idle clients mostly sets none).
 */
const SHARED_LIMITS: TopicLimits = Object.freeze({ ...DEFAULTS.limits });
const SHARED_BACKOFF: BackoffOptions = Object.freeze({ ...DEFAULTS.backoff });
const SHARED_QUEUE: OfflineQueueOptions = Object.freeze({ ...DEFAULTS.queue });

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

  const limits: TopicLimits =
    options.limits === undefined
      ? SHARED_LIMITS
      : {
          maxTopicBytes: number(
            'limits.maxTopicBytes',
            options.limits?.maxTopicBytes,
            DEFAULTS.limits.maxTopicBytes,
            1,
            65_535,
          ),
          maxTopicLevels: number(
            'limits.maxTopicLevels',
            options.limits?.maxTopicLevels,
            DEFAULTS.limits.maxTopicLevels,
            1,
          ),
          maxPayloadBytes: number(
            'limits.maxPayloadBytes',
            options.limits?.maxPayloadBytes,
            DEFAULTS.limits.maxPayloadBytes,
            0,
            268_435_455,
          ),
          maxFiltersPerSubscribe: number(
            'limits.maxFiltersPerSubscribe',
            options.limits?.maxFiltersPerSubscribe,
            DEFAULTS.limits.maxFiltersPerSubscribe,
            1,
          ),
        };
  const backoff: BackoffOptions =
    options.backoff === undefined
      ? SHARED_BACKOFF
      : {
          initialDelayMs: number(
            'backoff.initialDelayMs',
            options.backoff?.initialDelayMs,
            DEFAULTS.backoff.initialDelayMs,
            0,
          ),
          maxDelayMs: number('backoff.maxDelayMs', options.backoff?.maxDelayMs, DEFAULTS.backoff.maxDelayMs, 0),
          multiplier: number('backoff.multiplier', options.backoff?.multiplier, DEFAULTS.backoff.multiplier, 1),
          strategy: options.backoff?.strategy ?? DEFAULTS.backoff.strategy,
          throttledMaxDelayMs: number(
            'backoff.throttledMaxDelayMs',
            options.backoff?.throttledMaxDelayMs,
            DEFAULTS.backoff.throttledMaxDelayMs,
            0,
          ),
        };
  if (backoff.strategy !== 'full-jitter' && backoff.strategy !== 'decorrelated-jitter') {
    throw bad('backoff.strategy', "must be 'full-jitter' or 'decorrelated-jitter'.");
  }
  const overflow = options.queue?.overflow ?? DEFAULTS.queue.overflow;
  if (!['drop-oldest', 'drop-newest', 'reject'].includes(overflow)) {
    throw bad('queue.overflow', "must be 'drop-oldest', 'drop-newest' or 'reject'.");
  }
  const queue: OfflineQueueOptions =
    options.queue === undefined
      ? SHARED_QUEUE
      : {
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
  if (
    typeof clock.now !== 'function' ||
    typeof clock.setTimeout !== 'function' ||
    typeof clock.clearTimeout !== 'function'
  ) {
    throw bad('clock', 'must have now(), setTimeout() and clearTimeout().');
  }
  const random = options.random ?? Math.random;
  if (typeof random !== 'function') throw bad('random', 'must be a function returning a number in [0, 1).');
  if (options.statusCheck !== undefined && typeof options.statusCheck !== 'function')
    throw bad('statusCheck', 'must be a function (e.g. serviceStatusCheck({...})).');

  const sessionExpirySeconds = options.sessionExpirySeconds;
  if (sessionExpirySeconds !== undefined) {
    if (protocolVersion !== 5) throw bad('sessionExpirySeconds', 'needs protocolVersion: 5.');
    if (!Number.isInteger(sessionExpirySeconds) || sessionExpirySeconds < 0 || sessionExpirySeconds > 0xffff_ffff) {
      throw bad(
        'sessionExpirySeconds',
        `must be whole seconds in [0, 4294967295]; got ${String(sessionExpirySeconds)}.`,
      );
    }
  }

  const engine = options.engine ?? leanEngine;
  if (engine === null || typeof engine !== 'object' || typeof engine.open !== 'function') {
    throw bad('engine', 'must be an MqttEngine (an object with open(stream, options)), e.g. mqttJsEngine.');
  }

  return {
    transport,
    engine,
    clientId,
    channels: resolveChannels(options.channels, limits),
    keepaliveSeconds: number('keepaliveSeconds', options.keepaliveSeconds, DEFAULTS.keepaliveSeconds, 1, 65_535),
    protocolVersion,
    sessionExpirySeconds,
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
