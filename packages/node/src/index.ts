/**
 * `@webcomm/node`: connect dedicated servers, editor plugins and tools to AWS IoT Core or the
 * webcomm emulator over mutual TLS (or WebSocket), with registration and a certificate cache.
 * Re-exports the public API of `@webcomm/core` and the SigV4 and credential parts of
 * `@webcomm/aws`, so this is the only import a Node program needs.
 */
// The public API of @webcomm/core (its index is the curated list, guarded by test/api), so this
// is the only import an app needs.
export * from '@webcomm/core';
// MQTT.js is an opt-in engine, not re-exported: `@webcomm/core/mqttjs` (install `mqtt` for it).

// From @webcomm/aws: credentials and signing for the SigV4 WebSocket and custom authorizers.
export {
  staticCredentials,
  credentialsFromFunction,
  cognitoCredentials,
  memoryStorage,
  presignIotUrl,
  customAuthorizerUrl,
  customAuthorizerUsername,
  WebSocketLinkError,
  type AwsCredentials,
  type CredentialsProvider,
  type RefreshOptions,
  type CognitoCredentialsOptions,
  type CognitoCredentialsProvider,
  type CognitoLogins,
  type IdentityStorage,
  type PresignIotUrlOptions,
  type CustomAuthorizerCredentials,
  type CustomAuthorizerToken,
  type CustomAuthorizerUrlOptions,
  type CustomAuthorizerAuth,
  type NoAuth,
  type SigV4Auth,
  type WebSocketLinkErrorCode,
} from '@webcomm/aws';

export { createNodeClient, NodeClient, type NodeClientOptions, type NodePublishRoute } from './node-client.js';
export {
  ensureIdentity,
  MAX_IDENTITY_SLOTS,
  type EnsureIdentityOptions,
  type EnsuredIdentity,
  type IdentityInUsePolicy,
} from './ensure-identity.js';
export {
  cachedIdentityFiles,
  clearCachedIdentity,
  defaultCacheDir,
  readCachedIdentity,
  writeCachedIdentity,
} from './identity-cache.js';
export { mutualTlsTransport, ALPN_MQTT, ALPN_MQTT_CA, type MutualTlsTransportOptions } from './mutual-tls-transport.js';
export { tcpTransport, type TcpTransportOptions } from './tcp-transport.js';
export { nodeWebSocketTransport, type NodeWebSocketTransportOptions } from './websocket-transport.js';
export { loadTlsMaterial, readPem, type PemSource, type TlsMaterial } from './tls-material.js';
export { classifySocketError } from './classify-socket-error.js';
