import { ERROR_CODES, WebcommError } from '@webcomm/core';
import { assertKnownOptions, optionKeys, validateUrl } from '@webcomm/core/internal'; // internal: assertKnownOptions, optionKeys, validateUrl

/** Input of GetId; field names as in the AWS API. */
export interface GetIdInput {
  IdentityPoolId: string;
  Logins?: Record<string, string>;
}

/** Input of GetCredentialsForIdentity; field names as in the AWS API. */
export interface GetCredentialsForIdentityInput {
  IdentityId: string;
  Logins?: Record<string, string>;
}

/** Output of GetCredentialsForIdentity (the part webcomm uses). */
export interface GetCredentialsForIdentityOutput {
  IdentityId?: string;
  Credentials?: {
    AccessKeyId?: string;
    SecretKey?: string;
    SessionToken?: string;
    Expiration?: Date;
  };
}

/**
 * The two Cognito Identity calls webcomm needs. {@link cognitoIdentityFetchClient} implements
 * it with `fetch` (about 1 KB); the AWS SDK's aggregated `CognitoIdentity` class from
 * `@aws-sdk/client-cognito-identity` satisfies it as is, for apps that already ship the SDK.
 */
export interface CognitoIdentityApi {
  getId(input: GetIdInput): Promise<{ IdentityId?: string }>;
  getCredentialsForIdentity(input: GetCredentialsForIdentityInput): Promise<GetCredentialsForIdentityOutput>;
}

/** Options of {@link cognitoIdentityFetchClient}. */
export interface CognitoIdentityFetchClientOptions {
  /** AWS region of the identity pool, e.g. `"eu-west-1"`. */
  readonly region: string;
  /**
   * Service URL; set it to the emulator's Cognito endpoint.
   * @default `https://cognito-identity.${region}.amazonaws.com/`
   */
  readonly endpoint?: string;
  /**
   * The `fetch` to use.
   * @default globalThis.fetch
   */
  readonly fetch?: typeof fetch;
}

/** An error answered by Cognito, with the AWS error type (e.g. `NotAuthorizedException`). */
export class CognitoServiceError extends Error {
  override readonly name = 'CognitoServiceError';
  constructor(
    /** AWS error type, without namespace, e.g. `"ResourceNotFoundException"`. */
    readonly type: string,
    message: string,
    /** HTTP status of the answer. */
    readonly status: number,
  ) {
    super(`${type}: ${message}`);
  }
}

/** Calls Cognito Identity's JSON protocol (`AWSCognitoIdentityService.*`) with `fetch`; unsigned calls only. */
export function cognitoIdentityFetchClient(options: CognitoIdentityFetchClientOptions): CognitoIdentityApi {
  assertKnownOptions(
    options,
    optionKeys<CognitoIdentityFetchClientOptions>({ region: true, endpoint: true, fetch: true }),
    'cognitoIdentityFetchClient()',
  );
  if (typeof options.region !== 'string' || !/^[a-z0-9-]+$/.test(options.region)) {
    throw new WebcommError(
      ERROR_CODES.INVALID_OPTION,
      `region must be an AWS region like "eu-west-1" (got ${String(options.region)}).`,
    );
  }
  const endpoint =
    options.endpoint === undefined
      ? `https://cognito-identity.${options.region}.amazonaws.com/`
      : validateUrl(options.endpoint, 'endpoint', ['https:', 'http:']).href;
  const doFetch = options.fetch ?? globalThis.fetch;
  if (typeof doFetch !== 'function') {
    throw new WebcommError(ERROR_CODES.INVALID_OPTION, 'No fetch in this runtime: pass options.fetch.');
  }

  async function call(action: string, body: object): Promise<Record<string, unknown>> {
    const response = await doFetch(endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': `AWSCognitoIdentityService.${action}`,
      },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    let json: Record<string, unknown> = {};
    try {
      json = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
    } catch {
      // Non-JSON answer (a proxy's HTML page); reported below by status.
    }
    if (!response.ok) {
      // The type is in `__type` ("com.amazonaws...#NotAuthorizedException") or a header.
      const raw = String(json['__type'] ?? response.headers.get('x-amzn-errortype') ?? `HTTP${response.status}`);
      const type = raw.split('#').pop()?.split(':')[0] ?? raw;
      const message = String(json['message'] ?? json['Message'] ?? response.statusText);
      throw new CognitoServiceError(type, message, response.status);
    }
    return json;
  }

  return {
    async getId(input) {
      const json = await call('GetId', input);
      return { IdentityId: typeof json['IdentityId'] === 'string' ? json['IdentityId'] : undefined };
    },
    async getCredentialsForIdentity(input) {
      const json = await call('GetCredentialsForIdentity', input);
      const c = json['Credentials'] as Record<string, unknown> | undefined;
      const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
      return {
        IdentityId: str(json['IdentityId']),
        Credentials:
          c === undefined
            ? undefined
            : {
                AccessKeyId: str(c['AccessKeyId']),
                SecretKey: str(c['SecretKey']),
                SessionToken: str(c['SessionToken']),
                // The wire format is epoch seconds (a number).
                Expiration: typeof c['Expiration'] === 'number' ? new Date(c['Expiration'] * 1000) : undefined,
              },
      };
    },
  };
}
