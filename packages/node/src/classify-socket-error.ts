/**
 * Turns socket and TLS failures into typed errors that say what to check. Certificate
 * problems on either side are fatal (retrying cannot fix them); the rest are network faults.
 */
import { ERROR_CODES, WebcommError } from '@webcomm/core';

const UNTRUSTED_SERVER = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_HAS_EXPIRED',
]);

/** TLS alerts a server sends when it does not accept our client certificate. */
const REJECTED_CLIENT_CERT =
  /alert (?:bad certificate|certificate revoked|certificate expired|certificate unknown|unknown ca|certificate required|access denied)|ERR_SSL_(?:SSLV3_ALERT_BAD_CERTIFICATE|SSLV3_ALERT_CERTIFICATE_REVOKED|SSLV3_ALERT_CERTIFICATE_EXPIRED|SSLV3_ALERT_CERTIFICATE_UNKNOWN|TLSV1_ALERT_UNKNOWN_CA|TLSV13_ALERT_CERTIFICATE_REQUIRED|TLSV1_ALERT_ACCESS_DENIED)/i;

/** Maps a Node socket/TLS error to a {@link WebcommError}, or undefined when it is not one. */
export function classifySocketError(error: unknown, endpoint: string): WebcommError | undefined {
  if (error instanceof WebcommError) return error;
  const err = error as NodeJS.ErrnoException | undefined;
  if (err === undefined || typeof err !== 'object') return undefined;
  const code = err.code ?? '';
  if (UNTRUSTED_SERVER.has(code)) {
    const what =
      code === 'ERR_TLS_CERT_ALTNAME_INVALID'
        ? 'is not issued for this host name'
        : code === 'CERT_HAS_EXPIRED'
          ? 'has expired'
          : 'is signed by a CA we do not trust';
    return new WebcommError(
      ERROR_CODES.SERVER_UNTRUSTED,
      `The server certificate of ${endpoint} ${what} (${code}). Pass the right "ca" and connect by the name in its certificate.`,
      { fatal: true, cause: error },
    );
  }
  if (REJECTED_CLIENT_CERT.test(`${code} ${err.message ?? ''}`)) {
    return new WebcommError(
      ERROR_CODES.CERTIFICATE_REJECTED,
      `${endpoint} rejected our client certificate (${err.message}). It may be revoked (banned), expired or from another CA: re-register.`,
      { fatal: true, cause: error },
    );
  }
  if (code === 'ECONNREFUSED') {
    return new WebcommError(
      ERROR_CODES.NETWORK,
      `Nothing accepts connections at ${endpoint} (ECONNREFUSED): is the broker running, and the port right?`,
      { cause: error },
    );
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new WebcommError(
      ERROR_CODES.NETWORK,
      `The host of ${endpoint} cannot be resolved (${code}): check the endpoint name and DNS.`,
      { cause: error },
    );
  }
  if (
    code === 'ECONNRESET' ||
    code === 'EPIPE' ||
    code === 'ETIMEDOUT' ||
    code === 'EHOSTUNREACH' ||
    code === 'ENETUNREACH'
  ) {
    return new WebcommError(ERROR_CODES.NETWORK, `The connection to ${endpoint} failed (${code}).`, { cause: error });
  }
  return undefined;
}
