/**
 * Custom authorizers as IoT Core runs them: the request names an authorizer
 * (`x-amz-customauthorizer-name`) and carries a token, in WebSocket query/headers or in the
 * MQTT username; a user-supplied async function answers in IoT Core's response shape.
 */
import type { Clock, ClockTimer } from '../clock.js';

/** The event given to a custom authorizer (IoT Core's shape, trimmed to what applies here). */
export interface AuthorizerEvent {
  /** The token value (from the authorizer's token key), when sent. */
  readonly token: string | undefined;
  /** True when `x-amz-customauthorizer-signature` was sent (the emulator does not verify it). */
  readonly signatureVerified: boolean;
  readonly protocols: readonly ('mqtt' | 'http' | 'tls')[];
  readonly protocolData: {
    readonly http?: { readonly headers: Readonly<Record<string, string>>; readonly queryString: string };
    readonly mqtt?: { readonly username?: string; readonly password?: string; readonly clientId: string };
  };
  readonly connectionMetadata: { readonly id: string };
}

/** A custom authorizer's answer (IoT Core's response shape). */
export interface AuthorizerResponse {
  readonly isAuthenticated: boolean;
  /** `[a-zA-Z0-9]{1,128}`. */
  readonly principalId: string;
  /** IoT policy documents as JSON strings (at most 10, each at most 2,048 characters). */
  readonly policyDocuments: readonly string[];
  /** The connection is closed after this many seconds (300-86,400). */
  readonly disconnectAfterInSeconds: number;
  /** Accepted for shape compatibility (300-86,400); policies are not refreshed. */
  readonly refreshAfterInSeconds: number;
}

/** A custom authorizer: IoT Core calls a Lambda, the emulator calls this function. */
export type CustomAuthorizer = (event: AuthorizerEvent) => Promise<AuthorizerResponse>;

/** One configured authorizer. */
export interface CustomAuthorizerConfig {
  readonly handler: CustomAuthorizer;
  /** Query/header/username parameter carrying the token. @default "token" */
  readonly tokenKeyName?: string;
}

/** Authorizer fields found in a request. */
export interface AuthorizerRequest {
  readonly name: string;
  readonly params: ReadonlyMap<string, string>;
  readonly signed: boolean;
}

const NAME_KEY = 'x-amz-customauthorizer-name';
const SIGNATURE_KEY = 'x-amz-customauthorizer-signature';

/**
 * Parses the MQTT username form `[user]?x-amz-customauthorizer-name=N&TOKENKEY=T&...`.
 * Extra parameters (SDK metrics such as `SDK=...&Platform=...`) are tolerated.
 */
export function parseAuthorizerUsername(username: string | undefined): AuthorizerRequest | undefined {
  if (username === undefined) return undefined;
  const question = username.indexOf('?');
  if (question < 0) return undefined;
  return fromParams(new URLSearchParams(username.slice(question + 1)));
}

/** Finds authorizer fields in a WebSocket upgrade's query string, else in its headers. */
export function parseAuthorizerHttp(
  url: URL,
  headers: Readonly<Record<string, string | string[] | undefined>>,
): AuthorizerRequest | undefined {
  const fromQuery = fromParams(url.searchParams);
  if (fromQuery !== undefined) return fromQuery;
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(headers))
    if (typeof value === 'string') params.set(name.toLowerCase(), value);
  return fromParams(params);
}

function fromParams(params: URLSearchParams): AuthorizerRequest | undefined {
  const name = params.get(NAME_KEY);
  if (name === null || name === '') return undefined;
  return { name, params: new Map(params), signed: params.has(SIGNATURE_KEY) };
}

/** Why an authorizer refused (logged). */
export type AuthorizerRefusal =
  'unknown-authorizer' | 'not-authenticated' | 'authorizer-failed' | 'authorizer-timeout' | 'bad-response';

/** The outcome of running an authorizer. */
export type AuthorizerOutcome =
  | { readonly ok: true; readonly response: AuthorizerResponse }
  | { readonly ok: false; readonly refusal: AuthorizerRefusal; readonly detail: string };

/** IoT Core gives an authorizer 5 seconds. */
export const AUTHORIZER_TIMEOUT_MS = 5_000;

function validateResponse(response: AuthorizerResponse): string | undefined {
  if (typeof response !== 'object' || response === null) return 'response is not an object';
  if (typeof response.isAuthenticated !== 'boolean') return 'isAuthenticated must be a boolean';
  if (!response.isAuthenticated) return undefined;
  if (typeof response.principalId !== 'string' || !/^[a-zA-Z0-9]{1,128}$/.test(response.principalId))
    return 'principalId must match [a-zA-Z0-9]{1,128}';
  if (!Array.isArray(response.policyDocuments) || response.policyDocuments.length > 10)
    return 'policyDocuments must be a list of at most 10';
  if (response.policyDocuments.some((document) => typeof document !== 'string' || document.length > 2048))
    return 'each policy document must be a string of at most 2,048 characters';
  for (const key of ['disconnectAfterInSeconds', 'refreshAfterInSeconds'] as const) {
    const value = response[key];
    if (!Number.isInteger(value) || value < 300 || value > 86_400) return `${key} must be an integer in 300-86400`;
  }
  return undefined;
}

/** Runs the named authorizer with IoT Core's timeout (on `clock`) and validates its answer. */
export async function runAuthorizer(
  authorizers: ReadonlyMap<string, CustomAuthorizerConfig>,
  request: AuthorizerRequest,
  event: Omit<AuthorizerEvent, 'token' | 'signatureVerified'>,
  clock: Clock,
  timeoutMs = AUTHORIZER_TIMEOUT_MS,
): Promise<AuthorizerOutcome> {
  const config = authorizers.get(request.name);
  if (config === undefined)
    return { ok: false, refusal: 'unknown-authorizer', detail: `no authorizer named "${request.name}"` };
  const tokenKey = config.tokenKeyName ?? 'token';
  // Header names arrive lower-cased.
  const token = request.params.get(tokenKey) ?? request.params.get(tokenKey.toLowerCase());
  let timer: ClockTimer | undefined;
  try {
    const response = await Promise.race([
      config.handler({ ...event, token, signatureVerified: request.signed }),
      new Promise<never>((_, reject) => {
        timer = clock.setTimeout(() => reject(new Error('timeout')), timeoutMs);
      }),
    ]);
    const problem = validateResponse(response);
    if (problem !== undefined) return { ok: false, refusal: 'bad-response', detail: problem };
    if (!response.isAuthenticated)
      return { ok: false, refusal: 'not-authenticated', detail: 'authorizer answered isAuthenticated=false' };
    return { ok: true, response };
  } catch (error) {
    const timedOut = (error as Error).message === 'timeout';
    return {
      ok: false,
      refusal: timedOut ? 'authorizer-timeout' : 'authorizer-failed',
      detail: timedOut ? `no answer within ${timeoutMs} ms` : 'authorizer threw',
    };
  } finally {
    if (timer !== undefined) clock.clearTimeout(timer);
  }
}
