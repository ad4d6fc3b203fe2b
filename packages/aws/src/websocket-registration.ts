/**
 * The service side of a WebSocket client's start, shared by every runtime: register with the
 * Web Communicator service as `WEBSOCKET` (reusing the stored identity), get Cognito credentials
 * for the identity it made, and work out the channels, the endpoint and the ban check. The
 * browser's `connectToService` builds its client from this; so can a Node bot over `ws`.
 */
import {
  registerClient,
  servicePublisher,
  serviceStatusCheck,
  type ChannelConfig,
  type RegistrationResponse,
  type StatusCheck,
} from '@webcomm/core';
import { cognitoCredentials, type CognitoCredentialsProvider } from './cognito-credentials.js';
import { defaultIdentityStorage, type IdentityStorage } from './identity-storage.js';

/** Options of {@link registerWebSocketClient}. */
export interface WebSocketRegistrationOptions {
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

/** What a WebSocket client needs from the service, from {@link registerWebSocketClient}. */
export interface WebSocketRegistration {
  /** The service's answer (client id, channels, endpoint; its service token prints as `[REDACTED]`). */
  readonly registration: RegistrationResponse;
  /** Cognito credentials of the registered identity, renewed (with a fresh OpenID token) as they expire. */
  readonly credentials: CognitoCredentialsProvider;
  /** The WebSocket endpoint to sign (`wss://…/mqtt`). */
  readonly endpointUrl: string;
  /** The registered channels; those in `publishChannels` publish through the service API. */
  readonly channels: ChannelConfig[];
  /** Asks the service whether the client is banned, for a refused connection. */
  readonly statusCheck: StatusCheck;
}

/** The login key of Cognito's own OpenID tokens. */
const COGNITO_LOGIN = 'cognito-identity.amazonaws.com';
/** Renew the OpenID token when it has less than this left (a credential call and a connect fit). */
const OPENID_MARGIN_MS = 60_000;

/**
 * Registers (or renews the stored registration) as `WEBSOCKET` and prepares its credentials.
 *
 * The service registers a developer-authenticated identity and returns its Cognito OpenID
 * token; the credentials are asked with it (`Logins: {"cognito-identity.amazonaws.com": token}`),
 * so an identity id alone (it is the client id others see) gives nobody its credentials. A token
 * about to expire is renewed by registering again with the stored service token.
 */
export async function registerWebSocketClient(options: WebSocketRegistrationOptions): Promise<WebSocketRegistration> {
  const storage = options.storage ?? defaultIdentityStorage();
  const withFetch = options.fetch === undefined ? {} : { fetch: options.fetch };
  const registrationKey = `webcomm:registration:${options.serviceUrl}`;
  const register = async (previous: StoredRegistration | undefined): Promise<RegistrationResponse> => {
    const answer = await registerClient({
      serviceUrl: options.serviceUrl,
      type: 'WEBSOCKET',
      ...(previous ?? {}),
      ...withFetch,
    });
    await storage.setItem(
      registrationKey,
      JSON.stringify({ clientId: answer.clientId, serviceToken: answer.serviceToken }),
    );
    return answer;
  };
  const registration = await register(parseStored(await storage.getItem(registrationKey)));
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
  if (registration.identityId !== undefined)
    await storage.setItem(`webcomm:cognito-identity-id:${identityPoolId}`, registration.identityId);
  const credentials = cognitoCredentials({
    identityPoolId,
    region: registration.region,
    storage,
    ...(registration.cognitoEndpoint === undefined ? {} : { endpoint: registration.cognitoEndpoint }),
    ...withFetch,
    ...(logins === undefined ? {} : { logins }),
  });
  const service = { serviceUrl: options.serviceUrl, serviceToken: registration.serviceToken, ...withFetch };
  const publishers = new Set(options.publishChannels ?? []);
  const channels: ChannelConfig[] = registration.channels.map((channel) => ({
    name: channel.name,
    topic: channel.topic,
    ...(publishers.has(channel.name) ? { publish: servicePublisher(service) } : {}),
  }));
  return {
    registration,
    credentials,
    endpointUrl: registration.endpoint.url ?? `wss://${registration.endpoint.host}:${registration.endpoint.port}/mqtt`,
    channels,
    statusCheck: serviceStatusCheck(service),
  };
}

interface StoredRegistration {
  readonly clientId: string;
  readonly serviceToken: string;
}

function parseStored(text: string | null): StoredRegistration | undefined {
  if (text === null) return undefined;
  try {
    const value = JSON.parse(text) as { clientId?: unknown; serviceToken?: unknown };
    return typeof value.clientId === 'string' && typeof value.serviceToken === 'string'
      ? { clientId: value.clientId, serviceToken: value.serviceToken }
      : undefined;
  } catch {
    return undefined;
  }
}
