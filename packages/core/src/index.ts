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
export type { OperationOptions } from './util/deadline.js';
export type { MessageHandler, MessageMeta } from './inbound/subscriptions.js';
export type {
  ConnectedInfo,
  DisconnectedInfo,
  ReceivedMessage,
  ReconnectingInfo,
  StateChange,
  TakenOverInfo,
  WebcommClientEvents,
} from './events.js';
export type { ConnectionState } from './connection/state.js';

// Options and the types they take.
export { DEFAULTS, type ChannelConfig, type PublishMode, type WebcommClientOptions } from './options.js';
export { DEFAULT_BACKOFF, type BackoffOptions, type BackoffStrategy } from './connection/backoff.js';
export type { OfflineQueueOptions, OverflowPolicy } from './outbound/offline-queue.js';
export { jsonDecoder, rawDecoder, type DecodeOption, type Decoder } from './inbound/decoders.js';
export { silentLogger, type LogFields, type LogLevel, type Logger } from './util/logger.js';
export type { Clock, TimerHandle } from './util/clock.js';
export { IOT_CORE_LIMITS, type TopicLimits } from './inbound/topic-rules.js';
export { MESSAGE_ID_PROPERTY, newMessageId, stampedMessageId } from './inbound/message-id.js';

// Errors users match on.
export {
  ERROR_CODES,
  WebcommError,
  isWebcommError,
  type WebcommErrorCode,
  type WebcommErrorOptions,
} from './errors.js';

// The seam an adapter (or a user's own transport) implements.
export type { ConnectContext, MqttStream, Transport, TransportLink } from './transport.js';

// The MQTT engine seam and the lean engine, the default everywhere (MQTT.js is an opt-in,
// `@webcomm/core/mqttjs`: an entry of its own, so an app that does not pick it carries none of it).
export { leanEngine } from './mqtt/lean-engine.js';
export type {
  ConnackInfo,
  ConnackProperties,
  ConnectProperties,
  DisconnectInfo,
  EngineConnectOptions,
  EngineMessage,
  MqttEngine,
  MqttLink,
  MqttLinkEvents,
  PublishProperties,
  PublishResult,
  SubackEntry,
  SubscribeRequest,
  UserProperties,
} from './mqtt/mqtt-engine.js';

// Publishing through the service, and the service's API.
export type { ChannelPublisher, OutgoingMessage } from './outbound/channel-publisher.js';
export { servicePublisher, type ServicePublisherOptions } from './service/service-publisher.js';
export { serviceStatusCheck, type ServiceStatusOptions, type StatusCheck } from './service/service-status.js';
export { registerClient, type RegisterClientOptions } from './service/register-client.js';
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
  TopicRuleDefinition,
  UserStatus,
} from './service/service-types.js';

// Versioned content on a channel.
export {
  ContentWatcher,
  watchContent,
  type ContentChange,
  type ContentUpdate,
  type ContentVersionStore,
  type ContentWatcherEvents,
  type WatchContentOptions,
} from './service/content-watcher.js';
