import { ERROR_CODES, WebcommError } from '@webcomm/core';
import { assertKnownOptions, hideSecrets, optionKeys } from '@webcomm/core/internal'; // internal: assertKnownOptions, hideSecrets, optionKeys

/** Temporary (or long-term) AWS credentials, as a SigV4 signer needs them. */
export interface AwsCredentials {
  readonly accessKeyId: string;
  /** Secret: never logged. */
  readonly secretAccessKey: string;
  /** Session token of temporary credentials (Cognito, STS). Secret: never logged. */
  readonly sessionToken?: string;
  /** When the credentials stop working; `undefined` for credentials that do not expire. */
  readonly expiration?: Date;
}

/**
 * The one way credentials reach the transport: an async function called before every
 * connection attempt. Built-ins: {@link staticCredentials}, {@link credentialsFromFunction},
 * {@link cognitoCredentials}.
 */
export type CredentialsProvider = () => Promise<AwsCredentials>;

const CREDENTIAL_KEYS = optionKeys<AwsCredentials>({
  accessKeyId: true,
  secretAccessKey: true,
  sessionToken: true,
  expiration: true,
});

/** Checks the shape of credentials from any source; names the missing field. Returns a copy that prints without its secrets. */
export function validateCredentials(value: unknown, source: string): AwsCredentials {
  const c = value as Partial<AwsCredentials> | null | undefined;
  const bad = (what: string): never => {
    throw new WebcommError(
      ERROR_CODES.BAD_CREDENTIALS,
      `Credentials from ${source} ${what}; a provider must resolve to {accessKeyId, secretAccessKey, sessionToken?, expiration?}.`,
      { fatal: true },
    );
  };
  if (typeof c !== 'object' || c === null) return bad('are not an object');
  if (typeof c.accessKeyId !== 'string' || c.accessKeyId === '') return bad('have no accessKeyId');
  if (typeof c.secretAccessKey !== 'string' || c.secretAccessKey === '') return bad('have no secretAccessKey');
  if (c.sessionToken !== undefined && typeof c.sessionToken !== 'string') return bad('have a non-string sessionToken');
  if (c.expiration !== undefined && !(c.expiration instanceof Date && !Number.isNaN(c.expiration.getTime()))) {
    return bad('have an expiration that is not a valid Date');
  }
  return hideSecrets({
    accessKeyId: c.accessKeyId,
    secretAccessKey: c.secretAccessKey,
    ...(c.sessionToken === undefined ? {} : { sessionToken: c.sessionToken }),
    ...(c.expiration === undefined ? {} : { expiration: c.expiration }),
  });
}

/**
 * Credentials that never change (an IAM user's keys in a trusted tool, or a test).
 * Prefer Cognito in browsers: anything shipped to a browser is public.
 */
export function staticCredentials(credentials: AwsCredentials): CredentialsProvider {
  // A misspelt `sessionToken` would sign without it and fail at the broker; AWS SDK credential
  // objects carry `accountId`/`credentialScope`/`$source` too, which are harmless.
  assertKnownOptions(
    credentials,
    [...CREDENTIAL_KEYS, 'accountId', 'credentialScope', '$source'],
    'staticCredentials()',
  );
  const checked = validateCredentials(credentials, 'staticCredentials()');
  return () => Promise.resolve(checked);
}
