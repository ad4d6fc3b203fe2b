/**
 * `@webcomm/browser`: connect webcomm to AWS IoT Core (or the emulator) from browsers and any
 * runtime with `WebSocket` and `fetch`: a client with browser network hooks, the service flow
 * (registration and Cognito) in one call, one connection shared across tabs. Re-exports the public
 * API of `@webcomm/core` and `@webcomm/aws`, so this is the only import a web app needs.
 * No Node built-ins.
 */
// The public API of @webcomm/core (its index is the curated list, guarded by test/api), so this
// is the only import an app needs.
export * from '@webcomm/core';
// MQTT.js is an opt-in engine, not re-exported: `@webcomm/core/mqttjs` (install `mqtt` for it).

// From @webcomm/aws: credentials, Cognito, signing and the WebSocket transport.
export {
  staticCredentials,
  validateCredentials,
  credentialsFromFunction,
  REFRESH_DEFAULTS,
  cognitoCredentials,
  cognitoIdentityFetchClient,
  CognitoServiceError,
  defaultIdentityStorage,
  memoryStorage,
  presignUrl,
  presignIotUrl,
  IOT_SIGNING_SERVICE,
  regionFromIotEndpoint,
  webSocketUrl,
  customAuthorizerUrl,
  webSocketTransport,
  WebSocketStream,
  WebSocketLinkError,
  classifyWebSocketError,
  type AwsCredentials,
  type CredentialsProvider,
  type RefreshOptions,
  type CognitoCredentialsOptions,
  type CognitoCredentialsProvider,
  type CognitoLogins,
  type CognitoIdentityApi,
  type CognitoIdentityFetchClientOptions,
  type GetCredentialsForIdentityInput,
  type GetCredentialsForIdentityOutput,
  type GetIdInput,
  type IdentityStorage,
  type PresignUrlOptions,
  type PresignIotUrlOptions,
  type CustomAuthorizerToken,
  type CustomAuthorizerUrlOptions,
  type CustomAuthorizerAuth,
  type NoAuth,
  type SigV4Auth,
  type WebSocketTransportOptions,
  type WebSocketStreamOptions,
  type WebSocketLinkErrorCode,
  type WebSocketConstructor,
  type WebSocketEventLike,
  type WebSocketLike,
} from '@webcomm/aws';

export {
  watchNetwork,
  WATCH_NETWORK_DEFAULTS,
  type NetworkTimer,
  type NetworkHooks,
  type WatchNetworkOptions,
} from './watch-network.js';
export {
  createBrowserClient,
  BROWSER_CLIENT_DEFAULTS,
  type BrowserClientOptions,
  type HiddenPolicy,
} from './browser-client.js';
export { connectToService, type ConnectToServiceOptions, type ServiceConnection } from './connect-to-service.js';
export {
  shareConnectionAcrossTabs,
  SharedTabConnection,
  type BroadcastChannelLike,
  type LockManagerLike,
  type SharedTabEvents,
  type SharedTabOptions,
} from './shared-tab-connection.js';
