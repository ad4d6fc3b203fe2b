/**
 * `@webcomm/service`: the Web Communicator service written once, with no platform dependency:
 * the channel layout, the channel message encoding, and the HTTP API ({@link createServiceApi})
 * over small ports ({@link ServicePorts}) that the emulator and the AWS Lambda handlers both
 * implement.
 */
export { DEFAULT_CHANNELS, channelTopic, channelsForClient, validateChannelsConfig } from './channels-config.js';
export type { ChannelConfig, ChannelsConfig } from './channels-config.js';
export { MAX_MESSAGE_BYTES, encodeChannelMessage, jsonBytes } from './channel-message.js';
export { createServiceApi } from './service-api.js';
export type { ServiceApi, ServiceApiOptions } from './service-api.js';
export { HttpProblem } from './http-problem.js';
export {
  assertJsonContentType,
  bearerToken,
  parseJsonBody,
  parseJsonText,
  problemResponse,
  secretMatches,
} from './service-request.js';
export type { ServiceRequest, ServiceResponse } from './service-request.js';
export type {
  BrokerAdminPort,
  CertificatePort,
  ChannelDirectory,
  ClientCertificate,
  IdentityPort,
  IdentityToken,
  LiveConnection,
  MessagePublisher,
  PublishPort,
  ServiceEndpoints,
  ServicePorts,
  ServicePublishOptions,
  TokenSigner,
  TokenStore,
  UserStore,
} from './ports.js';
export { DEFAULT_RATE_LIMIT, RateLimiter } from './rate-limiter.js';
export type { RateDecision, RateLimit } from './rate-limiter.js';
export { DEFAULT_REGISTRATION_RATE_LIMIT, sourceAddress } from './register-route.js';
export { KeyedLock } from './keyed-lock.js';
export { MAX_JSON_DEPTH, jsonDeeperThan } from './json-depth.js';
export { DEFAULT_USER_PAGE, MAX_USER_PAGE, userPage } from './user-page.js';
export type { UserPage } from './user-page.js';
