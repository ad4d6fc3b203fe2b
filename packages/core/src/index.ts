/**
 * `@webcomm/core`: the transport-agnostic push-channel client. Adapters (`@webcomm/node`,
 * `@webcomm/browser`) provide a {@link Transport} and re-export this API.
 * @packageDocumentation
 */
export * from './errors.js';
export { describeThrown } from './describe-thrown.js';
export type * from './transport.js';
export type * from './service-types.js';
export { WebcommClient } from './client.js';
export type { PublishOptions, SubscribeOptions, Unsubscribe } from './client-calls.js';
export { ReconnectSchedule, type ScheduledAttempt } from './reconnect-schedule.js';
export type { ChannelPublisher, OutgoingMessage } from './channel-publisher.js';
export { servicePublisher, type ServicePublisherOptions } from './service-publisher.js';
export { serviceStatusCheck, type ServiceStatusOptions, type StatusCheck } from './service-status.js';
export type { ConnectedInfo, DisconnectedInfo, ReceivedMessage, ReconnectingInfo, StateChange, TakenOverInfo, WebcommClientEvents } from './events.js';
export {
  DEFAULTS,
  resolveOptions,
  type ChannelConfig,
  type PublishMode,
  type ResolvedChannel,
  type ResolvedOptions,
  type WebcommClientOptions,
} from './options.js';
export type { OperationOptions } from './deadline.js';
export { nextState, type ConnectionEvent, type ConnectionState } from './state.js';
export { DEFAULT_BACKOFF, backoffDelay, type BackoffOptions, type BackoffStrategy } from './backoff.js';
export { TopicTrie, type TopicTrieOptions } from './topic-trie.js';
export { IOT_CORE_LIMITS, assertFilter, assertPayloadSize, assertPublishTopic, isWildcardFilter, type TopicLimits } from './topic-rules.js';
export { encodePayload, jsonDecoder, rawDecoder, toDecoder, type DecodeOption, type Decoder } from './decoders.js';
export { OfflineQueue, type OfflineQueueOptions, type OverflowPolicy, type PushResult, type QueuedItem } from './offline-queue.js';
export type { MessageHandler, MessageMeta } from './subscriptions.js';
export { createLogger, silentLogger, type LogFields, type LogLevel, type Logger } from './logger.js';
export { REDACTED, redact, redactString } from './redact.js';
export { hideSecrets, INSPECT_CUSTOM } from './hide-secrets.js';
export { assertKnownOptions, closestOption, editDistance, optionKeys, pickOptions } from './option-keys.js';
export { validateUrl } from './validate-url.js';
export { assertChannelKeys, assertClientOptionKeys, CLIENT_OPTION_KEYS } from './client-option-keys.js';
export { systemClock, intervalTimerFrom, type Clock, type IntervalTimer, type TimerHandle } from './clock.js';
export { ManualClock } from './manual-clock.js';
export { classifyError } from './classify-error.js';
export { registerClient, type RegisterClientOptions } from './register-client.js';
export { ContentWatcher, parseUpdate, watchContent, type ContentChange, type ContentUpdate, type ContentVersionStore, type ContentWatcherEvents, type WatchContentOptions } from './content-watcher.js';
