import { ERROR_CODES, WebcommError } from '@webcomm/core';
import { WebSocketLinkError } from './websocket-link-error.js';

/**
 * Maps a WebSocket link failure to a typed error, or `undefined` for anything else (the client
 * then treats it as a transient network fault).
 *
 * Browsers hide the HTTP status of a refused upgrade: a 403 (bad signature, expired or wrong
 * credentials, missing IoT policy) and a network fault both arrive as close code 1006 before
 * `open`. Those become a non-fatal `NETWORK` error that names both causes; retries sign again
 * with fresh credentials, so expiry heals itself and backoff bounds the rest. Where the status is
 * visible (`ws` in Node: "Unexpected server response: 403"), 401 → `BAD_CREDENTIALS` and 403 →
 * `NOT_AUTHORIZED`, both fatal. A server that wants browsers to see a refusal can accept the
 * upgrade and close with 4401 or 4403 (the emulator may); those map the same way.
 */
export function classifyWebSocketError(error: unknown): WebcommError | undefined {
  if (!(error instanceof WebSocketLinkError)) return undefined;
  const status = error.httpStatus ?? (error.closeCode === 4401 ? 401 : error.closeCode === 4403 ? 403 : undefined);
  if (status === 401) {
    return new WebcommError(
      ERROR_CODES.BAD_CREDENTIALS,
      'The server rejected the WebSocket credentials (401): check the keys, the session token and the clock.',
      { fatal: true, cause: error },
    );
  }
  if (status === 403) {
    return new WebcommError(
      ERROR_CODES.NOT_AUTHORIZED,
      'The server refused the WebSocket connection (403): wrong or expired credentials, a clock off by more than 5 minutes, or no IoT policy allowing iot:Connect.',
      { fatal: true, cause: error },
    );
  }
  switch (error.code) {
    case 'WEBSOCKET_UPGRADE_FAILED':
      return new WebcommError(
        ERROR_CODES.NETWORK,
        status === undefined
          ? `${error.message} The network failed or the server refused the upgrade; browsers do not say which (a refusal usually means bad credentials or a missing IoT policy).`
          : `${error.message} HTTP ${status}.`,
        { cause: error },
      );
    case 'WEBSOCKET_TEXT_FRAME':
      return new WebcommError(ERROR_CODES.PROTOCOL, error.message, { cause: error });
    case 'WEBSOCKET_CLOSED':
      if (error.closeCode === 1008) {
        return new WebcommError(
          ERROR_CODES.NOT_AUTHORIZED,
          `${error.message} The server reported a policy violation.`,
          { cause: error },
        );
      }
      if (
        error.closeCode === 1002 ||
        error.closeCode === 1003 ||
        error.closeCode === 1007 ||
        error.closeCode === 1009
      ) {
        return new WebcommError(ERROR_CODES.PROTOCOL, error.message, { cause: error });
      }
      return new WebcommError(ERROR_CODES.NETWORK, error.message, { cause: error });
  }
}
