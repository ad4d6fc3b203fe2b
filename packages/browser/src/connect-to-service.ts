import type { RegistrationResponse, WebcommClient } from '@webcomm/core';
import { optionKeys, pickOptions, validateUrl } from '@webcomm/core/internal'; // internal: optionKeys, pickOptions, validateUrl
import {
  assertBrowserClientKeys,
  BROWSER_CLIENT_KEYS,
  createBrowserClient,
  type BrowserClientOptions,
} from './browser-client.js';
import {
  registerWebSocketClient,
  type CognitoCredentialsProvider,
  type WebSocketRegistrationOptions,
} from '@webcomm/aws';

/** Options of {@link connectToService}. */
export interface ConnectToServiceOptions
  extends Omit<BrowserClientOptions, 'endpoint' | 'auth' | 'clientId' | 'channels'>, WebSocketRegistrationOptions {}

const TAKEN_FROM_REGISTRATION = new Set(['endpoint', 'auth', 'clientId', 'channels']);
const PASSED_ON = BROWSER_CLIENT_KEYS.filter((k) => !TAKEN_FROM_REGISTRATION.has(k));
const SERVICE_KEYS = optionKeys<WebSocketRegistrationOptions>({
  serviceUrl: true,
  storage: true,
  publishChannels: true,
  fetch: true,
});
const KEYS = [...PASSED_ON, ...SERVICE_KEYS];

/** What {@link connectToService} returns: a client (not yet connected) and where it came from. */
export interface ServiceConnection {
  readonly client: WebcommClient;
  readonly registration: RegistrationResponse;
  readonly credentials: CognitoCredentialsProvider;
}

/**
 * The whole browser flow in one call: register with the service as `WEBSOCKET` (reusing the
 * stored identity), get Cognito credentials for that identity, and build a client that signs a
 * fresh WebSocket URL for every attempt, with the registered channels.
 *
 * The service registers a developer-authenticated identity and returns its Cognito OpenID
 * token; the credentials are asked with it (`Logins: {"cognito-identity.amazonaws.com": token}`),
 * so an identity id alone (it is the client id others see) gives nobody its credentials. A token
 * about to expire is renewed by registering again with the stored service token.
 *
 * @example
 * ```ts
 * const { client } = await connectToService({ serviceUrl: 'https://api.example.com' });
 * await client.subscribe('content-updates', (update) => reload(update));
 * await client.connect();
 * ```
 */
export async function connectToService(options: ConnectToServiceOptions): Promise<ServiceConnection> {
  assertBrowserClientKeys(options, 'connectToService()', KEYS);
  validateUrl(options.serviceUrl, 'serviceUrl', ['https:', 'http:']);
  const { registration, credentials, endpointUrl, channels, statusCheck } = await registerWebSocketClient(
    pickOptions(options, SERVICE_KEYS) as WebSocketRegistrationOptions,
  );
  const client = createBrowserClient({
    // On a refusal (CONNACK 5, a refused upgrade) the client asks the service whether it is banned.
    statusCheck,
    ...(pickOptions(options, PASSED_ON) as Omit<BrowserClientOptions, 'endpoint' | 'auth' | 'clientId' | 'channels'>),
    endpoint: endpointUrl,
    auth: { type: 'sigv4', credentials, region: registration.region },
    clientId: registration.clientId,
    channels,
  });
  return { client, registration, credentials };
}
