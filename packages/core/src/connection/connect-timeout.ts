import { ERROR_CODES, WebcommError } from '../errors.js';

/**
 * Why `connect()` gave up, told by what the attempts saw. A bare "did not finish within
 * 15000 ms" hides the one thing a user needs (a wrong port, a refused certificate, DNS), so a
 * connect timeout carries the last attempt's failure in its message and as its `cause`.
 *
 * Returns `error` unchanged unless it is the connect deadline's `TIMEOUT`.
 */
export function explainConnectTimeout(error: unknown, lastFailure: WebcommError | undefined, attempt: number): unknown {
  if (!(error instanceof WebcommError) || error.code !== ERROR_CODES.TIMEOUT || error === lastFailure) return error;
  if (lastFailure === undefined) {
    return new WebcommError(
      ERROR_CODES.TIMEOUT,
      `${error.message.replace(/\.$/, '')}: attempt ${attempt} got no answer yet (no TCP connect, TLS handshake or CONNACK). Check the endpoint and port, and that a firewall does not drop the packets.`,
      { cause: error },
    );
  }
  return new WebcommError(
    ERROR_CODES.TIMEOUT,
    `${error.message.replace(/\.$/, '')}; the last attempt failed: ${lastFailure.message}`,
    {
      cause: lastFailure,
      ...(error.topic === undefined ? {} : { topic: error.topic }),
    },
  );
}
