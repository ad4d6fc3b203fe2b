/**
 * The valid keys of {@link WebcommClientOptions} and its nested objects, and of the per-call
 * options of `connect`, `subscribe` and `publish`, declared once (the compiler keeps them in
 * step with the interfaces) and checked by {@link assertClientOptionKeys}.
 */
import type { BackoffOptions } from './connection/backoff.js';
import type { PublishOptions, SubscribeOptions } from './client-calls.js';
import type { OperationOptions } from './util/deadline.js';
import type { OfflineQueueOptions } from './outbound/offline-queue.js';
import { assertKnownOptions, optionKeys } from './util/option-keys.js';
import type { ChannelConfig, WebcommClientOptions } from './options.js';
import type { ChannelInfo } from './service/service-types.js';
import type { TopicLimits } from './inbound/topic-rules.js';

/** Every key of {@link WebcommClientOptions}. */
export const CLIENT_OPTION_KEYS = optionKeys<WebcommClientOptions>({
  transport: true,
  engine: true,
  clientId: true,
  channels: true,
  keepaliveSeconds: true,
  protocolVersion: true,
  sessionExpirySeconds: true,
  clean: true,
  connectTimeoutMs: true,
  subscribeTimeoutMs: true,
  publishTimeoutMs: true,
  backoff: true,
  stableAfterMs: true,
  onTakeover: true,
  takeoverWindowMs: true,
  statusCheck: true,
  queue: true,
  limits: true,
  hashMatchesParent: true,
  logger: true,
  logLevel: true,
  clock: true,
  random: true,
});

const BACKOFF_KEYS = optionKeys<BackoffOptions>({
  initialDelayMs: true,
  maxDelayMs: true,
  multiplier: true,
  strategy: true,
  throttledMaxDelayMs: true,
});
const QUEUE_KEYS = optionKeys<OfflineQueueOptions>({ maxCount: true, maxBytes: true, ttlMs: true, overflow: true });
const LIMITS_KEYS = optionKeys<TopicLimits>({
  maxTopicBytes: true,
  maxTopicLevels: true,
  maxPayloadBytes: true,
  maxFiltersPerSubscribe: true,
});
/** A channel is one the user declares or one from registration (passed on as it came). */
const CHANNEL_KEYS = [
  ...new Set([
    ...optionKeys<ChannelConfig>({ name: true, topic: true, publish: true, decode: true }),
    ...optionKeys<ChannelInfo>({ name: true, type: true, topic: true, clientPublish: true, retainLatest: true }),
  ]),
];
/** Keys of `connect()`'s options. */
export const OPERATION_OPTION_KEYS = optionKeys<OperationOptions>({ signal: true, timeoutMs: true });
/** Keys of `subscribe()`'s options. */
export const SUBSCRIBE_OPTION_KEYS = optionKeys<SubscribeOptions<unknown>>({
  signal: true,
  timeoutMs: true,
  decode: true,
  qos: true,
});
/** Keys of `publish()`'s options. */
export const PUBLISH_OPTION_KEYS = optionKeys<PublishOptions>({
  signal: true,
  timeoutMs: true,
  qos: true,
  retain: true,
  expirySeconds: true,
  userProperties: true,
});

/**
 * Refuses unknown keys in client options and their nested `backoff`, `queue`, `limits` and
 * `channels[i]`. Adapters call it with their entry point's name and full key list (core keys
 * they take plus their own), so a typo is reported against the function the user called, with
 * suggestions from every key valid there.
 */
export function assertClientOptionKeys(
  options: unknown,
  where: string,
  topLevelKeys: readonly string[] = CLIENT_OPTION_KEYS,
): void {
  assertKnownOptions(options, topLevelKeys, where);
  if (options === null || typeof options !== 'object') return;
  const o = options as Partial<Record<'backoff' | 'queue' | 'limits' | 'channels', unknown>>;
  assertKnownOptions(o.backoff, BACKOFF_KEYS, where, 'backoff');
  assertKnownOptions(o.queue, QUEUE_KEYS, where, 'queue');
  assertKnownOptions(o.limits, LIMITS_KEYS, where, 'limits');
  assertChannelKeys(o.channels, where, 'channels');
}

/**
 * Refuses unknown keys in each channel of a `channels`-like list (`path[i].key`). Channels as the
 * service sent them (`clientPublish` set) pass as they are: the service owns that shape and may
 * add fields, which must not break clients that hand `registration.channels` on.
 */
export function assertChannelKeys(list: unknown, where: string, path: string): void {
  if (!Array.isArray(list)) return;
  list.forEach((channel: unknown, i) => {
    if (typeof (channel as Partial<ChannelInfo> | null)?.clientPublish !== 'boolean')
      assertKnownOptions(channel, CHANNEL_KEYS, where, `${path}[${i}]`);
  });
}
