/**
 * `@webcomm/aws`: the AWS IoT Core pieces `@webcomm/node` and `@webcomm/browser` share, with no
 * Node built-ins and no DOM-only API (`WebSocket` and `fetch` are injectable): credential
 * providers (static, from a function, refreshing, Cognito over `fetch`), the SigV4 URL presigner,
 * custom-authorizer URLs and usernames, the endpoint URL rules, and the MQTT-over-WebSocket
 * transport. Apps import these through `@webcomm/node` or `@webcomm/browser`, which re-export them.
 */
export {
  staticCredentials,
  validateCredentials,
  type AwsCredentials,
  type CredentialsProvider,
} from './credentials.js';
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
export {
  customAuthorizerUrl,
  type CustomAuthorizerToken,
  type CustomAuthorizerUrlOptions,
} from './custom-authorizer-url.js';
export { customAuthorizerUsername, type CustomAuthorizerCredentials } from './custom-authorizer-username.js';
export {
  assertWebSocketTransportKeys,
  WEB_SOCKET_TRANSPORT_KEYS,
  webSocketTransport,
  type CustomAuthorizerAuth,
  type NoAuth,
  type SigV4Auth,
  type WebSocketTransportOptions,
} from './websocket-transport.js';
export { WebSocketStream } from './default-websocket-stream-class.js';
export type { WebSocketStreamOptions } from './websocket-stream-options.js';
export { WebSocketByteStream } from './websocket-byte-stream.js';
export { WebSocketLinkError, type WebSocketLinkErrorCode } from './websocket-link-error.js';
export type { WebSocketConstructor, WebSocketEventLike, WebSocketLike } from './websocket-like.js';
export { classifyWebSocketError } from './classify-websocket-error.js';
export {
  registerWebSocketClient,
  type WebSocketRegistration,
  type WebSocketRegistrationOptions,
} from './websocket-registration.js';
