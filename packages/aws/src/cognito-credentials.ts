import { ERROR_CODES, WebcommError } from '@webcomm/core';
import { assertKnownOptions, optionKeys, pickOptions } from '@webcomm/core/internal'; // internal: assertKnownOptions, optionKeys, pickOptions
import { cognitoIdentityFetchClient, CognitoServiceError, type CognitoIdentityApi } from './cognito-identity-api.js';
import type { AwsCredentials, CredentialsProvider } from './credentials.js';
import { defaultIdentityStorage, type IdentityStorage } from './identity-storage.js';
import { credentialsFromFunction, REFRESH_KEYS, type RefreshOptions } from './refreshing-credentials.js';

/** Login tokens by provider name, e.g. `{"accounts.google.com": idToken}`. */
export type CognitoLogins = Record<string, string>;

/** Options of {@link cognitoCredentials}. */
export interface CognitoCredentialsOptions extends RefreshOptions {
  /** Identity pool id, `"REGION:GUID"`. */
  readonly identityPoolId: string;
  /**
   * Region of the pool.
   * @default the part of `identityPoolId` before `:`
   */
  readonly region?: string;
  /**
   * Cognito Identity service URL (the emulator's, in development). Ignored when `client` is given.
   * @default `https://cognito-identity.${region}.amazonaws.com/`
   */
  readonly endpoint?: string;
  /**
   * Client for the two calls: the AWS SDK's `new CognitoIdentity({...})` if the app already has
   * it, or any {@link CognitoIdentityApi}.
   * @default a `fetch`-based client ({@link cognitoIdentityFetchClient})
   */
  readonly client?: CognitoIdentityApi;
  /**
   * Logins of an authenticated user, or a function returning current ones (called for each
   * refresh, so expiring tokens can be renewed). Omit for guests.
   * @default undefined (guest)
   */
  readonly logins?: CognitoLogins | (() => CognitoLogins | Promise<CognitoLogins>);
  /**
   * Where the identity id is kept, so a guest keeps one identity across sessions.
   * @default localStorage when usable, else memory
   */
  readonly storage?: IdentityStorage;
  /**
   * Key of the identity id in `storage`.
   * @default `webcomm:cognito-identity-id:${identityPoolId}`
   */
  readonly storageKey?: string;
  /**
   * `fetch` for the default client.
   * @default globalThis.fetch
   */
  readonly fetch?: typeof fetch;
}

/** A {@link CredentialsProvider} that also tells which Cognito identity it signs as. */
export interface CognitoCredentialsProvider extends CredentialsProvider {
  /** The identity id (creating the identity if needed); use it as the MQTT client id. */
  getIdentityId(): Promise<string>;
  /** Forgets the stored identity id; the next call creates (guest) or looks up (logins) one. */
  forgetIdentity(): Promise<void>;
}

const KEYS = optionKeys<CognitoCredentialsOptions>({
  identityPoolId: true,
  region: true,
  endpoint: true,
  client: true,
  logins: true,
  storage: true,
  storageKey: true,
  fetch: true,
  refreshMarginMs: true,
  now: true,
});

// AWS's own pattern for IdentityPoolId: REGION:GUID.
const POOL_ID = /^([\w-]+):[0-9a-f-]+$/i;

/** Errors after which a stored identity id is dropped and GetId is asked again, once. */
const STALE_IDENTITY = new Set(['ResourceNotFoundException', 'NotAuthorizedException']);

/**
 * Credentials from a Cognito identity pool: GetId (once; the id is stored) then
 * GetCredentialsForIdentity, refreshed `refreshMarginMs` before they expire, concurrent
 * refreshes merged. Guests omit `logins`.
 */
export function cognitoCredentials(options: CognitoCredentialsOptions): CognitoCredentialsProvider {
  assertKnownOptions(options, KEYS, 'cognitoCredentials()');
  const { identityPoolId } = options;
  const match = typeof identityPoolId === 'string' ? POOL_ID.exec(identityPoolId) : null;
  if (match === null) {
    throw new WebcommError(
      ERROR_CODES.INVALID_OPTION,
      `identityPoolId must look like "eu-west-1:0f0e…" (got ${JSON.stringify(identityPoolId)}); copy it from the Cognito console or the registration response.`,
    );
  }
  const region = options.region ?? (match[1] as string);
  const client =
    options.client ?? cognitoIdentityFetchClient({ region, endpoint: options.endpoint, fetch: options.fetch });
  const storage = options.storage ?? defaultIdentityStorage();
  const storageKey = options.storageKey ?? `webcomm:cognito-identity-id:${identityPoolId}`;

  const currentLogins = async (): Promise<CognitoLogins | undefined> => {
    const logins = typeof options.logins === 'function' ? await options.logins() : options.logins;
    return logins !== undefined && Object.keys(logins).length > 0 ? logins : undefined;
  };

  async function newIdentityId(logins: CognitoLogins | undefined): Promise<string> {
    const { IdentityId } = await call(() => client.getId({ IdentityPoolId: identityPoolId, Logins: logins }));
    if (typeof IdentityId !== 'string' || IdentityId === '') {
      throw new WebcommError(ERROR_CODES.PROTOCOL, 'Cognito GetId answered without an IdentityId.');
    }
    await storage.setItem(storageKey, IdentityId);
    return IdentityId;
  }

  async function getIdentityId(): Promise<string> {
    return (await storage.getItem(storageKey)) ?? newIdentityId(await currentLogins());
  }

  async function fetchCredentials(): Promise<AwsCredentials> {
    const logins = await currentLogins();
    const stored = await storage.getItem(storageKey);
    const identityId = stored ?? (await newIdentityId(logins));
    let answer;
    try {
      answer = await client.getCredentialsForIdentity({ IdentityId: identityId, Logins: logins });
    } catch (error) {
      if (stored === null || !STALE_IDENTITY.has(errorType(error))) throw toWebcommError(error);
      // The stored identity is gone or belongs to someone else now: start a new one, once.
      await storage.removeItem(storageKey);
      const fresh = await newIdentityId(logins);
      answer = await call(() => client.getCredentialsForIdentity({ IdentityId: fresh, Logins: logins }));
    }
    const c = answer.Credentials;
    if (c?.AccessKeyId === undefined || c.SecretKey === undefined) {
      throw new WebcommError(ERROR_CODES.PROTOCOL, 'Cognito GetCredentialsForIdentity answered without credentials.');
    }
    return {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretKey,
      sessionToken: c.SessionToken,
      expiration: c.Expiration,
    };
  }

  const provider = credentialsFromFunction(fetchCredentials, pickOptions(options, REFRESH_KEYS));
  return Object.assign(provider, {
    getIdentityId,
    forgetIdentity: async () => void (await storage.removeItem(storageKey)),
  });
}

async function call<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw toWebcommError(error);
  }
}

function errorType(error: unknown): string {
  if (error instanceof CognitoServiceError) return error.type;
  return error instanceof Error ? error.name : 'Unknown';
}

/** Maps a Cognito failure (ours or the SDK's) to a typed error: config and auth problems are fatal. */
function toWebcommError(error: unknown): WebcommError {
  if (error instanceof WebcommError) return error;
  const type = errorType(error);
  const detail = error instanceof Error ? error.message : String(error);
  switch (type) {
    case 'NotAuthorizedException':
      return new WebcommError(
        ERROR_CODES.BAD_CREDENTIALS,
        `Cognito refused: ${detail}. Guests need unauthenticated access enabled on the pool; with logins, pass a valid, unexpired token.`,
        { fatal: true, cause: error },
      );
    case 'ResourceNotFoundException':
    case 'InvalidParameterException':
    case 'InvalidIdentityPoolConfigurationException':
      return new WebcommError(
        ERROR_CODES.INVALID_OPTION,
        `Cognito rejected the request: ${detail}. Check identityPoolId, region and endpoint.`,
        { fatal: true, cause: error },
      );
    default:
      // Throttling, 5xx, fetch failures: transient, the next attempt asks again.
      return new WebcommError(ERROR_CODES.NETWORK, `Cognito call failed: ${detail}`, { cause: error });
  }
}
