export * from '@webcomm/core';
// The page bundle has no sub-entries: the browser end-to-end tests drive time with this clock.
export { ManualClock } from '@webcomm/core/testing';
/**
 * `@webcomm/browser`: connect webcomm to AWS IoT Core (or the emulator) from browsers and any
 * runtime with `WebSocket` and `fetch`: Cognito or other credentials, a SigV4-presigned
 * WebSocket URL signed for every attempt, custom authorizers, and browser network hooks.
 * No Node built-ins.
 */
export { staticCredentials, validateCredentials, type AwsCredentials, type CredentialsProvider } from './credentials.js';
export { credentialsFromFunction, REFRESH_DEFAULTS, type RefreshOptions } from './refreshing-credentials.js';
export {
  cognitoCredentials,
  type CognitoCredentialsOptions,
  type CognitoCredentialsProvider,
  type CognitoLogins,
} from './cognito-credentials.js';
export {
  cognitoIdentityFetchClient,
  CognitoServiceError,
  type CognitoIdentityApi,
  type CognitoIdentityFetchClientOptions,
  type GetCredentialsForIdentityInput,
  type GetCredentialsForIdentityOutput,
  type GetIdInput,
} from './cognito-identity-api.js';
export { defaultIdentityStorage, memoryStorage, type IdentityStorage } from './identity-storage.js';
export { presignUrl, type PresignUrlOptions } from './presign-url.js';
export { presignIotUrl, IOT_SIGNING_SERVICE, type PresignIotUrlOptions } from './presign-iot-url.js';
export { regionFromIotEndpoint, webSocketUrl } from './endpoint-url.js';
export { customAuthorizerUrl, type CustomAuthorizerToken, type CustomAuthorizerUrlOptions } from './custom-authorizer-url.js';
export {
  assertWebSocketTransportKeys,
  WEB_SOCKET_TRANSPORT_KEYS,
  webSocketTransport,
  type CustomAuthorizerAuth,
  type NoAuth,
  type SigV4Auth,
  type WebSocketTransportOptions,
} from './websocket-transport.js';
export { WebSocketStream, type WebSocketStreamOptions } from './websocket-stream.js';
export { WebSocketLinkError, type WebSocketLinkErrorCode } from './websocket-link-error.js';
export type { WebSocketConstructor, WebSocketEventLike, WebSocketLike } from './websocket-like.js';
export { classifyWebSocketError } from './classify-websocket-error.js';
export {
  watchNetwork,
  WATCH_NETWORK_DEFAULTS,
  type IntervalTimer,
  type NetworkHooks,
  type WatchNetworkOptions,
} from './watch-network.js';
export { createBrowserClient, BROWSER_CLIENT_DEFAULTS, type BrowserClientOptions, type HiddenPolicy } from './browser-client.js';
export { connectToService, type ConnectToServiceOptions, type ServiceConnection } from './connect-to-service.js';
export { shareConnectionAcrossTabs, SharedTabConnection, type BroadcastChannelLike, type LockManagerLike, type SharedTabEvents, type SharedTabOptions } from './shared-tab-connection.js';
