import { registerClient, servicePublisher, serviceStatusCheck, type ChannelConfig, type RegistrationResponse, type WebcommClient } from '@webcomm/core';
import { optionKeys, pickOptions, validateUrl } from '@webcomm/core/internal'; // internal: optionKeys, pickOptions, validateUrl
import { assertBrowserClientKeys, BROWSER_CLIENT_KEYS, createBrowserClient, type BrowserClientOptions } from './browser-client.js';
import { cognitoCredentials, type CognitoCredentialsProvider } from '@webcomm/aws';
import { defaultIdentityStorage, type IdentityStorage } from '@webcomm/aws';

/** Options of {@link connectToService}. */
export interface ConnectToServiceOptions extends Omit<BrowserClientOptions, 'endpoint' | 'auth' | 'clientId' | 'channels'> {
  /** Base URL of the Web Communicator service (the emulator's `endpoints.http`). */
  readonly serviceUrl: string;
  /**
   * Keeps the registration (client id, service token) and the Cognito identity id, so a guest
   * keeps one identity across sessions.
   * @default localStorage when usable, else memory
   */
  readonly storage?: IdentityStorage;
  /** Channels to publish on through the service's validating API (game clients never publish to the broker). @default [] */
  readonly publishChannels?: readonly string[];
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
}

const TAKEN_FROM_REGISTRATION = new Set(['endpoint', 'auth', 'clientId', 'channels']);
const PASSED_ON = BROWSER_CLIENT_KEYS.filter((k) => !TAKEN_FROM_REGISTRATION.has(k));
const KEYS = [...PASSED_ON, ...optionKeys<Omit<ConnectToServiceOptions, keyof BrowserClientOptions>>({ serviceUrl: true, storage: true, publishChannels: true, fetch: true })];

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
  const storage = options.storage ?? defaultIdentityStorage();
  const registrationKey = `webcomm:registration:${options.serviceUrl}`;
  const stored = parseStored(await storage.getItem(registrationKey));
  const register = async (previous: { clientId: string; serviceToken: string } | undefined): Promise<RegistrationResponse> => {
    const answer = await registerClient({
      serviceUrl: options.serviceUrl,
      type: 'WEBSOCKET',
      ...(previous === undefined ? {} : { clientId: previous.clientId, serviceToken: previous.serviceToken }),
      ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    });
    await storage.setItem(registrationKey, JSON.stringify({ clientId: answer.clientId, serviceToken: answer.serviceToken }));
    return answer;
  };
  const registration = await register(stored);
  let openId = { token: registration.openIdToken, expiresAt: Date.parse(registration.openIdTokenExpiresAt ?? '') };
  // A service without OpenID tokens (none in the answer) leaves the identity a guest's.
  const logins =
    registration.openIdToken === undefined
      ? undefined
      : async (): Promise<Record<string, string>> => {
          if (!(openId.expiresAt - Date.now() > OPENID_MARGIN_MS)) {
            const fresh = await register({ clientId: registration.clientId, serviceToken: registration.serviceToken });
            openId = { token: fresh.openIdToken, expiresAt: Date.parse(fresh.openIdTokenExpiresAt ?? '') };
          }
          return { [COGNITO_LOGIN]: openId.token ?? '' };
        };
  const identityPoolId = registration.identityPoolId ?? '';
  // The service made the Cognito identity for this client: use it rather than a new one.
  if (registration.identityId !== undefined) await storage.setItem(`webcomm:cognito-identity-id:${identityPoolId}`, registration.identityId);
  const credentials = cognitoCredentials({
    identityPoolId,
    region: registration.region,
    storage,
    ...(registration.cognitoEndpoint === undefined ? {} : { endpoint: registration.cognitoEndpoint }),
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    ...(logins === undefined ? {} : { logins }),
  });
  const publishers = new Set(options.publishChannels ?? []);
  const channels: ChannelConfig[] = registration.channels.map((channel) => ({
    name: channel.name,
    topic: channel.topic,
    ...(publishers.has(channel.name)
      ? { publish: servicePublisher({ serviceUrl: options.serviceUrl, serviceToken: registration.serviceToken, ...(options.fetch === undefined ? {} : { fetch: options.fetch }) }) }
      : {}),
  }));
  const client = createBrowserClient({
    // On a refusal (CONNACK 5, a refused upgrade) the client asks the service whether it is banned.
    statusCheck: serviceStatusCheck({ serviceUrl: options.serviceUrl, serviceToken: registration.serviceToken, ...(options.fetch === undefined ? {} : { fetch: options.fetch }) }),
    ...(pickOptions(options, PASSED_ON) as Omit<BrowserClientOptions, 'endpoint' | 'auth' | 'clientId' | 'channels'>),
    endpoint: registration.endpoint.url ?? `wss://${registration.endpoint.host}:${registration.endpoint.port}/mqtt`,
    auth: { type: 'sigv4', credentials, region: registration.region },
    clientId: registration.clientId,
    channels,
  });
  return { client, registration, credentials };
}

/** The login key of Cognito's own OpenID tokens. */
const COGNITO_LOGIN = 'cognito-identity.amazonaws.com';
/** Renew the OpenID token when it has less than this left (a credential call and a connect fit). */
const OPENID_MARGIN_MS = 60_000;

function parseStored(text: string | null): { clientId: string; serviceToken: string } | undefined {
  if (text === null) return undefined;
  try {
    const value = JSON.parse(text) as { clientId?: unknown; serviceToken?: unknown };
    return typeof value.clientId === 'string' && typeof value.serviceToken === 'string' ? { clientId: value.clientId, serviceToken: value.serviceToken } : undefined;
  } catch {
    return undefined;
  }
}
