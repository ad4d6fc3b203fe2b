/**
 * `@webcomm/core`: the transport-agnostic push-channel client. Adapters (`@webcomm/node`,
 * `@webcomm/browser`) provide a {@link Transport} and re-export this API.
 *
 * This list is the public API, and it is deliberate: a name is here because a user needs it
 * (to call it, to type a value passed to or received from the client, or to match an error).
 * Parts webcomm's own packages share live in `@webcomm/core/internal`; test helpers in
 * `@webcomm/core/testing`. `test/api/api-surface.test.ts` fails on any change to this list.
 * @packageDocumentation
 */

// The client and its calls.
export { WebcommClient } from './client.js';
export type { PublishOptions, SubscribeOptions, Unsubscribe } from './client-calls.js';
export type { OperationOptions } from './deadline.js';
export type { MessageHandler, MessageMeta } from './subscriptions.js';
export type { ConnectedInfo, DisconnectedInfo, ReceivedMessage, ReconnectingInfo, StateChange, TakenOverInfo, WebcommClientEvents } from './events.js';
export type { ConnectionState } from './state.js';

// Options and the types they take.
export { DEFAULTS, type ChannelConfig, type PublishMode, type WebcommClientOptions } from './options.js';
export { DEFAULT_BACKOFF, type BackoffOptions, type BackoffStrategy } from './backoff.js';
export type { OfflineQueueOptions, OverflowPolicy } from './offline-queue.js';
export { jsonDecoder, rawDecoder, type DecodeOption, type Decoder } from './decoders.js';
export { silentLogger, type LogFields, type LogLevel, type Logger } from './logger.js';
export type { Clock, TimerHandle } from './clock.js';
export { IOT_CORE_LIMITS, type TopicLimits } from './topic-rules.js';

// Errors users match on.
export { ERROR_CODES, WebcommError, isWebcommError, type WebcommErrorCode, type WebcommErrorOptions } from './errors.js';

// The seam an adapter (or a user's own transport) implements.
export type { ConnectContext, MqttStream, Transport, TransportLink } from './transport.js';

// Publishing through the service, and the service's API.
export type { ChannelPublisher, OutgoingMessage } from './channel-publisher.js';
export { servicePublisher, type ServicePublisherOptions } from './service-publisher.js';
export { serviceStatusCheck, type ServiceStatusOptions, type StatusCheck } from './service-status.js';
export { registerClient, type RegisterClientOptions } from './register-client.js';
export type {
  ChannelInfo,
  ChannelType,
  ClientStatusResponse,
  ConnectionType,
  PublishRequest,
  RegistrationRequest,
  RegistrationResponse,
  ServiceEndpoint,
  ServiceErrorBody,
  UserStatus,
} from './service-types.js';

// Versioned content on a channel.
export {
  ContentWatcher,
  watchContent,
  type ContentChange,
  type ContentUpdate,
  type ContentVersionStore,
  type ContentWatcherEvents,
  type WatchContentOptions,
} from './content-watcher.js';
