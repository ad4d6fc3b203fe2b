/**
 * A Cognito Identity endpoint speaking the AWS JSON 1.1 protocol (`X-Amz-Target:
 * AWSCognitoIdentityService.<Operation>`) for `GetId` and `GetCredentialsForIdentity`, so the
 * real `@aws-sdk/client-cognito-identity` works against it. Mounted at {@link COGNITO_PATH}.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { RateLimiter, type RateLimit } from '@webcomm/service';
import type { Clock } from '../clock.js';
import type { RouteHandler, UserDirectory } from '../service/contracts.js';
import { GuestIdentitiesFull, type LocalIdentityIssuer } from './local-identity-issuer.js';
import { COGNITO_LOGIN } from './openid-tokens.js';
import { HttpProblem, readJson, sendJson } from '../service/http-io.js';
import type { Logger } from '../logger.js';

/** Path of the Cognito endpoint on the HTTP API listener. */
export const COGNITO_PATH = '/cognito';
const TARGET_PREFIX = 'AWSCognitoIdentityService.';

class CognitoError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

/** A `Logins` map, validated: provider name to non-empty token. */
function parseLogins(logins: unknown): Map<string, string> {
  if (logins === undefined || logins === null) return new Map();
  if (typeof logins !== 'object' || Array.isArray(logins))
    throw new CognitoError('InvalidParameterException', 'Logins must be a map of provider name to token.');
  const entries = Object.entries(logins);
  if (entries.length > 10) throw new CognitoError('InvalidParameterException', 'Logins may name at most 10 providers.');
  return new Map(
    entries.map(([provider, token]) => {
      if (typeof token !== 'string' || token.length === 0)
        throw new CognitoError(
          'InvalidParameterException',
          `Logins["${provider.slice(0, 64)}"] must be a non-empty token.`,
        );
      return [provider, token];
    }),
  );
}

/**
 * Keys of developer logins, one per provider: the SHA-256 of the pair as JSON, so no provider/token split is
 * ambiguous (with `provider=token`, `{"p": "player=42"}` and `{"p=player": "42"}` were one identity).
 * Cognito's own OpenID login is verified, never stored.
 */
function loginKeys(logins: Map<string, string>): string[] {
  // Only a hash is stored and compared: a login token is a secret that only needs verifying.
  return [...logins]
    .filter(([provider]) => provider !== COGNITO_LOGIN)
    .map((pair) => createHash('sha256').update(JSON.stringify(pair)).digest('hex'));
}

/** Cognito's largest request is far below this. */
const MAX_BODY_BYTES = 65_536;
const AMZ_JSON = /^application\/(?:x-amz-json-1\.[01]|json)\b/i;

/** Sends an AWS JSON 1.1 answer (the SDK reads the error type from `x-amzn-errortype`). */
function sendAwsJson(response: ServerResponse, status: number, body: unknown, errorType?: string): void {
  sendJson(response, status, body, {
    'content-type': 'application/x-amz-json-1.1',
    'x-amzn-requestid': crypto.randomUUID(),
    ...(errorType === undefined ? {} : { 'x-amzn-errortype': errorType }),
  });
}

/**
 * `GetId` per source address: 50 at once, then 5 a second. Each guest `GetId` makes a stored
 * identity, so this bounds how fast one machine can grow the data directory (AWS throttles
 * GetId too, per account). The SDK retries a `TooManyRequestsException` itself.
 */
export const GET_ID_RATE_LIMIT: RateLimit = { burst: 50, perSecond: 5 };

/** Builds the route handler for the Cognito endpoint. */
export function createCognitoRoutes(deps: {
  identities: LocalIdentityIssuer;
  users: UserDirectory;
  logger: Logger;
  clock: Clock;
  /** @default GET_ID_RATE_LIMIT */
  getIdRateLimit?: RateLimit;
}): RouteHandler {
  const { identities, users, logger } = deps;
  const getIdLimit = deps.getIdRateLimit ?? GET_ID_RATE_LIMIT;
  const getIdLimiter = new RateLimiter(getIdLimit, () => deps.clock.now());

  async function getId(body: Record<string, unknown>): Promise<unknown> {
    if (body.IdentityPoolId !== identities.identityPoolId) {
      throw new CognitoError(
        'ResourceNotFoundException',
        `IdentityPool '${String(body.IdentityPoolId)}' not found; this emulator serves '${identities.identityPoolId}'.`,
      );
    }
    const logins = parseLogins(body.Logins);
    const openId = logins.get(COGNITO_LOGIN);
    if (openId !== undefined) return { IdentityId: (await provenIdentity(openId)).identityId };
    try {
      return { IdentityId: await identities.identityFor(loginKeys(logins)) };
    } catch (error) {
      if (error instanceof GuestIdentitiesFull) throw new CognitoError('LimitExceededException', error.message);
      throw error;
    }
  }

  /** The developer-authenticated identity an OpenID token proves. */
  async function provenIdentity(token: string): Promise<{ identityId: string }> {
    const verified = identities.verifyOpenIdToken(token);
    if (!verified.ok)
      throw new CognitoError(
        'NotAuthorizedException',
        `Invalid login token (${verified.check}): get a fresh one by registering again with your service token.`,
      );
    if ((await identities.getIdentity(verified.identityId)) === undefined)
      throw new CognitoError('ResourceNotFoundException', `Identity '${verified.identityId}' not found.`);
    return verified;
  }

  async function getCredentials(body: Record<string, unknown>): Promise<unknown> {
    const identityId = typeof body.IdentityId === 'string' ? body.IdentityId : '';
    const identity = await identities.getIdentity(identityId);
    if (identity === undefined)
      throw new CognitoError('ResourceNotFoundException', `Identity '${identityId}' not found.`);
    const logins = parseLogins(body.Logins);
    const given = loginKeys(logins);
    const openId = logins.get(COGNITO_LOGIN);
    if (identity.developer === true) {
      // Registered by the service: its OpenID token, for this very identity, and nothing less.
      if (openId === undefined)
        throw new CognitoError(
          'NotAuthorizedException',
          `Invalid login token: this identity is developer-authenticated; send Logins {"${COGNITO_LOGIN}": <openIdToken from the registration>}.`,
        );
      if ((await provenIdentity(openId)).identityId !== identityId)
        throw new CognitoError('NotAuthorizedException', 'Invalid login token: the token is for another identity.');
    } else if (openId !== undefined) {
      throw new CognitoError(
        'NotAuthorizedException',
        'Invalid login token: this identity is not developer-authenticated.',
      );
    } else if (identity.logins.length > 0 && !given.some((key) => identity.logins.includes(key))) {
      // An identity bound to developer logins needs one of them; a guest identity takes none.
      throw new CognitoError(
        'NotAuthorizedException',
        'Invalid login token: this identity requires one of its Logins.',
      );
    }
    if (identity.logins.length === 0 && given.length > 0) {
      throw new CognitoError('NotAuthorizedException', 'Logins do not belong to this unauthenticated identity.');
    }
    if (users.isBanned(identityId))
      throw new CognitoError('NotAuthorizedException', 'Access to Identity is forbidden.');
    const credentials = await identities.issueCredentials(identityId);
    return {
      IdentityId: identityId,
      Credentials: {
        AccessKeyId: credentials.accessKeyId,
        SecretKey: credentials.secretAccessKey,
        SessionToken: credentials.sessionToken,
        Expiration: Date.parse(credentials.expiresAt) / 1000,
      },
    };
  }

  const operations: Record<string, (body: Record<string, unknown>) => Promise<unknown>> = {
    GetId: getId,
    GetCredentialsForIdentity: getCredentials,
  };

  return async (request: IncomingMessage, response: ServerResponse): Promise<boolean> => {
    const path = (request.url ?? '/').split('?')[0];
    if (path !== COGNITO_PATH && path !== `${COGNITO_PATH}/`) return false;
    try {
      if (request.method !== 'POST') throw new CognitoError('UnknownOperationException', 'Use POST.', 405);
      const target = String(request.headers['x-amz-target'] ?? '');
      const operation = target.startsWith(TARGET_PREFIX) ? operations[target.slice(TARGET_PREFIX.length)] : undefined;
      if (operation === undefined)
        throw new CognitoError(
          'UnknownOperationException',
          `Unsupported operation '${target}'; supported: GetId, GetCredentialsForIdentity.`,
        );
      if (operation === getId) {
        const decision = getIdLimiter.take(request.socket.remoteAddress ?? 'unknown');
        if (!decision.allowed)
          throw new CognitoError(
            'TooManyRequestsException',
            `Rate exceeded: GetId is limited to ${getIdLimit.perSecond}/s per address after ${getIdLimit.burst} at once; retry in ${decision.retryAfterMs} ms.`,
            429,
          );
      }
      const body = await readJson(request, MAX_BODY_BYTES, { contentType: AMZ_JSON }).catch((cause: unknown) => {
        if (!(cause instanceof HttpProblem)) throw cause;
        throw new CognitoError(
          'SerializationException',
          `Body refused (${cause.code}): ${cause.message}`,
          cause.status,
        );
      });
      if (body === null || typeof body !== 'object' || Array.isArray(body))
        throw new CognitoError('SerializationException', 'Body must be a JSON object.');
      sendAwsJson(response, 200, await operation(body as Record<string, unknown>));
    } catch (error) {
      if (error instanceof CognitoError) {
        logger.info(`cognito: refused ${String(request.headers['x-amz-target'])}: ${error.type}`);
        sendAwsJson(response, error.status, { __type: error.type, message: error.message }, error.type);
      } else {
        logger.error(`cognito: ${(error as Error).message}`);
        sendAwsJson(
          response,
          500,
          { __type: 'InternalErrorException', message: 'Internal error.' },
          'InternalErrorException',
        );
      }
    }
    return true;
  };
}
