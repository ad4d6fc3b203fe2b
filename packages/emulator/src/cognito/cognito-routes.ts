/**
 * A Cognito Identity endpoint speaking the AWS JSON 1.1 protocol (`X-Amz-Target:
 * AWSCognitoIdentityService.<Operation>`) for `GetId` and `GetCredentialsForIdentity`, so the
 * real `@aws-sdk/client-cognito-identity` works against it. Mounted at {@link COGNITO_PATH}.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RouteHandler, UserDirectory } from '../service/contracts.js';
import type { LocalIdentityIssuer } from './local-identity-issuer.js';
import { readJsonBody } from '../http/read-json-body.js';
import type { Logger } from '../logger.js';

/** Path of the Cognito endpoint on the HTTP API listener. */
export const COGNITO_PATH = '/cognito';
const TARGET_PREFIX = 'AWSCognitoIdentityService.';

class CognitoError extends Error {
  constructor(readonly type: string, message: string, readonly status = 400) {
    super(message);
  }
}

function loginKeys(logins: unknown): string[] {
  if (logins === undefined || logins === null) return [];
  if (typeof logins !== 'object' || Array.isArray(logins)) throw new CognitoError('InvalidParameterException', 'Logins must be a map of provider name to token.');
  return Object.entries(logins).map(([provider, token]) => {
    if (typeof token !== 'string' || token.length === 0) throw new CognitoError('InvalidParameterException', `Logins["${provider}"] must be a non-empty token.`);
    // Only a hash is stored and compared: a login token is a secret that only needs verifying.
    return createHash('sha256').update(`${provider}=${token}`).digest('hex');
  });
}

function sendJson(response: ServerResponse, status: number, body: unknown, errorType?: string): void {
  const headers: Record<string, string> = { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': crypto.randomUUID() };
  if (errorType !== undefined) headers['x-amzn-errortype'] = errorType;
  response.writeHead(status, headers).end(JSON.stringify(body));
}

/** Builds the route handler for the Cognito endpoint. */
export function createCognitoRoutes(deps: { identities: LocalIdentityIssuer; users: UserDirectory; logger: Logger }): RouteHandler {
  const { identities, users, logger } = deps;

  async function getId(body: Record<string, unknown>): Promise<unknown> {
    if (body.IdentityPoolId !== identities.identityPoolId) {
      throw new CognitoError('ResourceNotFoundException', `IdentityPool '${String(body.IdentityPoolId)}' not found; this emulator serves '${identities.identityPoolId}'.`);
    }
    return { IdentityId: await identities.identityFor(loginKeys(body.Logins)) };
  }

  async function getCredentials(body: Record<string, unknown>): Promise<unknown> {
    const identityId = typeof body.IdentityId === 'string' ? body.IdentityId : '';
    const identity = await identities.getIdentity(identityId);
    if (identity === undefined) throw new CognitoError('ResourceNotFoundException', `Identity '${identityId}' not found.`);
    const given = loginKeys(body.Logins);
    // An identity bound to developer logins needs one of them; a guest identity takes none.
    if (identity.logins.length > 0 && !given.some((key) => identity.logins.includes(key))) {
      throw new CognitoError('NotAuthorizedException', 'Invalid login token: this identity requires one of its Logins.');
    }
    if (identity.logins.length === 0 && given.length > 0) {
      throw new CognitoError('NotAuthorizedException', 'Logins do not belong to this unauthenticated identity.');
    }
    if (users.isBanned(identityId)) throw new CognitoError('NotAuthorizedException', 'Access to Identity is forbidden.');
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
      if (operation === undefined) throw new CognitoError('UnknownOperationException', `Unsupported operation '${target}'; supported: GetId, GetCredentialsForIdentity.`);
      const body = await readJsonBody(request).catch((cause: unknown) => {
        throw new CognitoError('SerializationException', `Body is not valid JSON: ${(cause as Error).message}.`);
      });
      if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new CognitoError('SerializationException', 'Body must be a JSON object.');
      sendJson(response, 200, await operation(body as Record<string, unknown>));
    } catch (error) {
      if (error instanceof CognitoError) {
        logger.info(`cognito: refused ${String(request.headers['x-amz-target'])}: ${error.type}`);
        sendJson(response, error.status, { __type: error.type, message: error.message }, error.type);
      } else {
        logger.error(`cognito: ${(error as Error).message}`);
        sendJson(response, 500, { __type: 'InternalErrorException', message: 'Internal error.' }, 'InternalErrorException');
      }
    }
    return true;
  };
}
