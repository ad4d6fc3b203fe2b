/**
 * The Cognito Identity operations of developer-authenticated identities, in the JSON 1.1 form
 * of `@aws-sdk/client-cognito-identity` (`X-Amz-Target: AWSCognitoIdentityService.<Operation>`):
 * `GetOpenIdTokenForDeveloperIdentity`, `LookupDeveloperIdentity` and `DescribeIdentity`, the
 * calls the service's `CognitoIdentityPort` makes with its role's credentials. Each names the
 * IAM action and resource AWS evaluates. Guests' `GetId` / `GetCredentialsForIdentity` are the
 * emulator's Cognito endpoint (cognito/cognito-routes.ts); joining the two is later work.
 */
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { AwsApiError } from './aws-api-error.js';
import type { IamRequest } from './iam-authorizer.js';

/** An identity pool with a developer provider. */
export interface DeveloperIdentityPool {
  /** `REGION:UUID`. */
  readonly id: string;
  /** `DeveloperProviderName`. */
  readonly developerProviderName: string;
}

/** One JSON 1.1 operation. */
export interface JsonOperation {
  readonly iam: (input: Record<string, unknown>) => IamRequest;
  readonly run: (input: Record<string, unknown>) => unknown;
}

interface Identity {
  readonly id: string;
  readonly poolId: string;
  readonly developerUsers: Set<string>;
  readonly createdAt: Date;
}

/** Cognito's longest developer token: 24 hours. */
export const MAX_TOKEN_DURATION_S = 86_400;
const DEFAULT_TOKEN_DURATION_S = 900;

function text(input: Record<string, unknown>, name: string): string {
  const value = input[name];
  if (typeof value !== 'string' || value === '')
    throw new AwsApiError('InvalidParameterException', 400, `1 validation error detected: ${name} must not be null.`);
  return value;
}

/** Developer identities of the given pools. */
export class DeveloperIdentities {
  readonly #pools: ReadonlyMap<string, DeveloperIdentityPool>;
  readonly #region: string;
  readonly #poolArn: (id: string) => string;
  readonly #identities = new Map<string, Identity>();
  /** `poolId\0provider\0user` → identity id. */
  readonly #links = new Map<string, string>();
  readonly #tokenKey = randomBytes(32);

  constructor(pools: readonly DeveloperIdentityPool[], at: { partition: string; region: string; account: string }) {
    this.#pools = new Map(pools.map((pool) => [pool.id, pool]));
    this.#region = at.region;
    this.#poolArn = (id) => `arn:${at.partition}:cognito-identity:${at.region}:${at.account}:identitypool/${id}`;
  }

  /** The operations, by name. */
  operations(): Record<string, JsonOperation> {
    const poolResource = (input: Record<string, unknown>): IamRequest['resource'] =>
      this.#poolArn(text(input, 'IdentityPoolId'));
    return {
      GetOpenIdTokenForDeveloperIdentity: {
        iam: (input) => ({
          action: 'cognito-identity:GetOpenIdTokenForDeveloperIdentity',
          resource: poolResource(input),
        }),
        run: (input) => this.#openIdToken(input),
      },
      LookupDeveloperIdentity: {
        iam: (input) => ({ action: 'cognito-identity:LookupDeveloperIdentity', resource: poolResource(input) }),
        run: (input) => {
          const identity = this.#identity(text(input, 'IdentityId'));
          const pool = this.#pool(text(input, 'IdentityPoolId'));
          if (identity.poolId !== pool.id)
            throw new AwsApiError(
              'ResourceNotFoundException',
              400,
              `Identity ${identity.id} is not in pool ${pool.id}.`,
            );
          return { IdentityId: identity.id, DeveloperUserIdentifierList: [...identity.developerUsers] };
        },
      },
      // DescribeIdentity has no resource type in AWS's table: only "*" matches it.
      DescribeIdentity: {
        iam: () => ({ action: 'cognito-identity:DescribeIdentity', resource: '*' }),
        run: (input) => {
          const identity = this.#identity(text(input, 'IdentityId'));
          const pool = this.#pools.get(identity.poolId);
          return {
            IdentityId: identity.id,
            Logins: identity.developerUsers.size > 0 && pool ? [pool.developerProviderName] : [],
            CreationDate: identity.createdAt.getTime() / 1000,
            LastModifiedDate: identity.createdAt.getTime() / 1000,
          };
        },
      },
    };
  }

  #pool(id: string): DeveloperIdentityPool {
    const pool = this.#pools.get(id);
    if (pool === undefined) throw new AwsApiError('ResourceNotFoundException', 400, `IdentityPool '${id}' not found.`);
    return pool;
  }

  #identity(id: string): Identity {
    const identity = this.#identities.get(id);
    if (identity === undefined) throw new AwsApiError('ResourceNotFoundException', 400, `Identity '${id}' not found.`);
    return identity;
  }

  #openIdToken(input: Record<string, unknown>): { IdentityId: string; Token: string } {
    const pool = this.#pool(text(input, 'IdentityPoolId'));
    const logins = input.Logins as Record<string, unknown> | undefined;
    const user = logins?.[pool.developerProviderName];
    if (typeof user !== 'string' || user === '')
      throw new AwsApiError(
        'NotAuthorizedException',
        400,
        `Logins must name the pool's developer provider "${pool.developerProviderName}".`,
      );
    const duration = input.TokenDuration ?? DEFAULT_TOKEN_DURATION_S;
    if (typeof duration !== 'number' || !Number.isInteger(duration) || duration < 1 || duration > MAX_TOKEN_DURATION_S)
      throw new AwsApiError(
        'InvalidParameterException',
        400,
        `TokenDuration must be 1-${MAX_TOKEN_DURATION_S} seconds.`,
      );
    const link = `${pool.id}\0${pool.developerProviderName}\0${user}`;
    const linked = this.#links.get(link);
    const asked = input.IdentityId;
    if (linked !== undefined && asked !== undefined && asked !== linked)
      throw new AwsApiError('ResourceConflictException', 400, 'The developer user is linked to another identity.');
    let identityId = linked ?? (typeof asked === 'string' ? this.#identity(asked).id : undefined);
    if (identityId === undefined) {
      identityId = `${this.#region}:${randomUUID()}`;
      this.#identities.set(identityId, {
        id: identityId,
        poolId: pool.id,
        developerUsers: new Set(),
        createdAt: new Date(),
      });
    }
    this.#identity(identityId).developerUsers.add(user);
    this.#links.set(link, identityId);
    return { IdentityId: identityId, Token: this.#jwt(identityId, pool.id, duration) };
  }

  /** An OpenID token shaped as Cognito's (HS256 here: the emulated APIs are its only verifier). */
  #jwt(identityId: string, poolId: string, durationS: number): string {
    const now = Math.floor(Date.now() / 1000);
    const part = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
    const body = `${part({ alg: 'HS256', typ: 'JWT' })}.${part({
      iss: 'https://cognito-identity.amazonaws.com',
      sub: identityId,
      aud: poolId,
      amr: ['authenticated'],
      iat: now,
      exp: now + durationS,
    })}`;
    return `${body}.${createHmac('sha256', this.#tokenKey).update(body).digest('base64url')}`;
  }
}
