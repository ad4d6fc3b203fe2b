import { describeThrown } from '../util/describe-thrown.js';
import { ERROR_CODES, WebcommError } from '../errors.js';
import type { ClientStatusResponse, ServiceErrorBody, UserStatus } from './service-types.js';

/**
 * Asks the service for this client's status. The client calls it when the broker refuses it
 * (CONNACK 5, a rejected certificate) to tell a ban from a policy or credentials problem.
 */
export type StatusCheck = (signal: AbortSignal) => Promise<UserStatus>;

/** Options of {@link serviceStatusCheck}. */
export interface ServiceStatusOptions {
  /** Base URL of the Web Communicator service (the registration answer's service). */
  readonly serviceUrl: string;
  /** The client's service token from registration. Secret: never logged. */
  readonly serviceToken: string;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
}

/** A {@link StatusCheck} over the service's `GET /status` (authenticated by the service token). */
export function serviceStatusCheck(options: ServiceStatusOptions): StatusCheck {
  const url = new URL('status', options.serviceUrl.endsWith('/') ? options.serviceUrl : `${options.serviceUrl}/`);
  return async (signal) => {
    let response: Response;
    try {
      response = await (options.fetch ?? fetch)(url, {
        headers: { authorization: `Bearer ${options.serviceToken}` },
        signal,
      });
    } catch (error) {
      throw new WebcommError(
        ERROR_CODES.NETWORK,
        `The status API at ${url.origin} cannot be reached: ${describeThrown(error)}.`,
        { cause: error },
      );
    }
    const answer = (await response.json().catch(() => undefined)) as
      ClientStatusResponse | ServiceErrorBody | undefined;
    if (response.ok && answer !== undefined && 'status' in answer) return answer.status;
    const code = answer !== undefined && 'error' in answer ? answer.error.code : `HTTP_${response.status}`;
    throw new WebcommError(ERROR_CODES.PROTOCOL, `The status API answered ${response.status} ${code}.`);
  };
}
