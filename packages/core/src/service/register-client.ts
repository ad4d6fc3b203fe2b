import { ERROR_CODES, WebcommError } from '../errors.js';
import { hideSecrets } from '../util/hide-secrets.js';
import { assertKnownOptions, optionKeys } from '../util/option-keys.js';
import { validateUrl } from '../util/validate-url.js';
import type { RegistrationRequest, RegistrationResponse, ServiceErrorBody } from './service-types.js';

/** Options of {@link registerClient}. */
export interface RegisterClientOptions extends RegistrationRequest {
  /** Base URL of the registration service, e.g. the emulator's `endpoints.http`. */
  readonly serviceUrl: string;
  /** The client's current service token, when re-registering an existing `clientId`. Secret. */
  readonly serviceToken?: string;
  /**
   * The operator's admin token, for registrations only the operator may make: a certificate
   * (`OPENSSL`) when the service does not let clients ask for one, and `publish` grants. Sent
   * instead of `serviceToken`. Secret: keep it on the operator's machines, never in a game client.
   */
  readonly adminToken?: string;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  readonly signal?: AbortSignal;
}

const KEYS = optionKeys<RegisterClientOptions>({
  serviceUrl: true,
  type: true,
  clientId: true,
  serviceToken: true,
  adminToken: true,
  publish: true,
  fetch: true,
  signal: true,
});

/** The service's base URL as a directory, so `new URL('register', base)` keeps any path. */
export function serviceBaseUrl(serviceUrl: unknown, optionName = 'serviceUrl'): URL {
  const url = validateUrl(serviceUrl, optionName, ['https:', 'http:']);
  if (!url.pathname.endsWith('/')) url.pathname = `${url.pathname}/`;
  return url;
}

/**
 * Asks the Web Communicator service for an identity (`POST /register`). A banned client gets a
 * fatal `BANNED` error; any other refusal a `REGISTRATION_FAILED` naming the service's code.
 */
export async function registerClient(options: RegisterClientOptions): Promise<RegistrationResponse> {
  assertKnownOptions(options, KEYS, 'registerClient()');
  const url = new URL('register', serviceBaseUrl(options.serviceUrl));
  const body: RegistrationRequest = {
    type: options.type,
    ...(options.clientId === undefined ? {} : { clientId: options.clientId }),
    ...(options.publish === undefined ? {} : { publish: options.publish }),
  };
  const bearer = options.adminToken ?? options.serviceToken;
  let response: Response;
  try {
    response = await (options.fetch ?? fetch)(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(bearer === undefined ? {} : { authorization: `Bearer ${bearer}` }),
      },
      body: JSON.stringify(body),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
  } catch (error) {
    throw new WebcommError(
      ERROR_CODES.REGISTRATION_FAILED,
      `The registration service at ${url.origin} cannot be reached: ${(error as Error).message}. Check serviceUrl.`,
      { cause: error },
    );
  }
  const answer = (await response.json().catch(() => undefined)) as RegistrationResponse | ServiceErrorBody | undefined;
  if (response.ok && answer !== undefined && 'clientId' in answer) return hideSecrets(answer);
  const code = answer !== undefined && 'error' in answer ? answer.error.code : `HTTP_${response.status}`;
  const message = answer !== undefined && 'error' in answer ? answer.error.message : response.statusText;
  if (code === 'BANNED')
    throw new WebcommError(ERROR_CODES.BANNED, `Registration refused: this client is banned (${message}).`, {
      fatal: true,
    });
  if (response.status === 429) {
    const retryAfter = response.headers.get('retry-after') ?? '1';
    throw new WebcommError(
      ERROR_CODES.RATE_LIMITED,
      `Registration rate-limited by the service (${message}); try again in ${retryAfter} s.`,
    );
  }
  throw new WebcommError(
    ERROR_CODES.REGISTRATION_FAILED,
    `Registration failed with ${response.status} ${code}: ${message}`,
    { fatal: response.status < 500 },
  );
}
