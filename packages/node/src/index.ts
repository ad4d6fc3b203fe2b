/**
 * `@webcomm/node`: connect dedicated servers, editor plugins and tools to AWS IoT Core or the
 * webcomm emulator over mutual TLS (or WebSocket), with registration and a certificate cache.
 * Re-exports all of `@webcomm/core`, so this is the only import a Node program needs.
 */
export * from '@webcomm/core';
export { createNodeClient, NodeClient, type NodeClientOptions, type NodePublishRoute } from './node-client.js';
export { ensureIdentity, MAX_IDENTITY_SLOTS, type EnsureIdentityOptions, type EnsuredIdentity, type IdentityInUsePolicy } from './ensure-identity.js';

export { cachedIdentityFiles, clearCachedIdentity, defaultCacheDir, readCachedIdentity, writeCachedIdentity } from './identity-cache.js';
export { mutualTlsTransport, ALPN_MQTT, ALPN_MQTT_CA, type MutualTlsTransportOptions } from './mutual-tls-transport.js';
export { tcpTransport, type TcpTransportOptions } from './tcp-transport.js';
export { nodeWebSocketTransport, type NodeWebSocketTransportOptions } from './websocket-transport.js';
export { customAuthorizerUsername, type CustomAuthorizerCredentials } from './custom-authorizer-username.js';
export { loadTlsMaterial, readPem, type PemSource, type TlsMaterial } from './tls-material.js';
export { classifySocketError } from './classify-socket-error.js';
