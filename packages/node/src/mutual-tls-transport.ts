import { isIP } from 'node:net';
import { connect } from 'node:tls';
import { ERROR_CODES, silentLogger, WebcommError, type Logger, type Transport } from '@webcomm/core';
import { assertKnownOptions, optionKeys } from '@webcomm/core/internal'; // internal: assertKnownOptions, optionKeys
import { classifySocketError } from './classify-socket-error.js';
import { customAuthorizerUsername, type CustomAuthorizerCredentials } from '@webcomm/aws';
import { socketReady } from './open-socket.js';
import { loadTlsMaterial, readPem, type PemSource } from './tls-material.js';

/** ALPN protocol AWS IoT Core expects for certificate auth on port 443. */
export const ALPN_MQTT_CA = 'x-amzn-mqtt-ca';
/** ALPN protocol AWS IoT Core expects for custom-authorizer MQTT on port 443. */
export const ALPN_MQTT = 'mqtt';

/** Options of {@link mutualTlsTransport}. */
export interface MutualTlsTransportOptions {
  /** Broker host, e.g. `abc-ats.iot.eu-west-1.amazonaws.com`. Also the SNI and the name checked in its certificate. */
  readonly host: string;
  /**
   * 8883 (MQTT over TLS), or 443 (then ALPN is required; see `alpn`).
   * @default 8883
   */
  readonly port?: number;
  /** Client certificate (PEM text, bytes, or `{path}`). Required unless `customAuthorizer` is set. */
  readonly cert?: PemSource;
  /** Private key of the certificate. Secret. Required unless `customAuthorizer` is set. */
  readonly key?: PemSource;
  /** CA(s) to trust for the server; Node's bundled roots when absent. */
  readonly ca?: PemSource;
  /**
   * ALPN protocol to offer. On port 443 IoT Core needs `x-amzn-mqtt-ca` for certificates and
   * `mqtt` for custom authorizers.
   * @default on port 443: "x-amzn-mqtt-ca" (or "mqtt" with `customAuthorizer`); otherwise none
   */
  readonly alpn?: string;
  /** Custom authorizer in the CONNECT username (IoT Core: port 443, ALPN `mqtt`). */
  readonly customAuthorizer?: CustomAuthorizerCredentials & { readonly password?: string };
  /**
   * Verify the server's certificate and name. Turning it off lets anyone impersonate the
   * broker; webcomm logs a warning once when you do.
   * @default true
   */
  readonly rejectUnauthorized?: boolean;
  /** Where the warning above goes. @default silent */
  readonly logger?: Logger;
}

const KEYS = optionKeys<MutualTlsTransportOptions>({
  host: true,
  port: true,
  cert: true,
  key: true,
  ca: true,
  alpn: true,
  customAuthorizer: true,
  rejectUnauthorized: true,
  logger: true,
});
const AUTHORIZER_KEYS = optionKeys<NonNullable<MutualTlsTransportOptions['customAuthorizer']>>({
  authorizerName: true,
  token: true,
  signature: true,
  user: true,
  password: true,
});

/**
 * MQTT over TLS with a client certificate (AWS IoT Core's device auth), or with a custom
 * authorizer. Certificate and key are re-read and checked for every attempt, so a renewed file is
 * picked up on the next reconnect; server certificate and host name are always verified unless
 * explicitly turned off. TCP_NODELAY is on.
 */
export function mutualTlsTransport(options: MutualTlsTransportOptions): Transport {
  assertKnownOptions(options, KEYS, 'mutualTlsTransport()');
  assertKnownOptions(options.customAuthorizer, AUTHORIZER_KEYS, 'mutualTlsTransport()', 'customAuthorizer');
  assertKnownOptions(
    options.customAuthorizer?.token,
    ['keyName', 'value'],
    'mutualTlsTransport()',
    'customAuthorizer.token',
  );
  const port = options.port ?? 8883;
  const authorizer = options.customAuthorizer;
  if (authorizer === undefined && (options.cert === undefined || options.key === undefined)) {
    throw new WebcommError(
      ERROR_CODES.INVALID_OPTION,
      'mutualTlsTransport: pass "cert" and "key" (or "customAuthorizer").',
    );
  }
  const alpn = options.alpn ?? (port === 443 ? (authorizer === undefined ? ALPN_MQTT_CA : ALPN_MQTT) : undefined);
  const rejectUnauthorized = options.rejectUnauthorized ?? true;
  if (!rejectUnauthorized) {
    (options.logger ?? silentLogger).warn(
      'TLS server verification is OFF (rejectUnauthorized: false): anyone can impersonate the broker. Never do this in production.',
      { host: options.host },
    );
  }
  const load = (): { cert?: string; key?: string; ca?: string } => {
    if (options.cert !== undefined && options.key !== undefined) {
      const material = loadTlsMaterial({
        cert: options.cert,
        key: options.key,
        ...(options.ca === undefined ? {} : { ca: options.ca }),
      });
      return { cert: material.cert, key: material.key, ...(material.ca === undefined ? {} : { ca: material.ca }) };
    }
    return options.ca === undefined ? {} : { ca: readPem(options.ca, 'ca') };
  };
  load(); // fail at construction on a bad file, not at the first attempt
  const endpoint = `mqtts://${options.host}:${port}`;
  return {
    name: authorizer === undefined ? 'mtls' : 'tls-custom-authorizer',
    async open(context) {
      const socket = connect({
        host: options.host,
        port,
        // SNI takes a host name only (RFC 6066); IoT Core requires it, an IP address gets none.
        ...(isIP(options.host) === 0 ? { servername: options.host } : {}),
        ...load(),
        rejectUnauthorized,
        ...(alpn === undefined ? {} : { ALPNProtocols: [alpn] }),
      });
      socket.setNoDelay(true);
      await socketReady(socket, 'secureConnect', context.signal);
      if (alpn !== undefined && socket.alpnProtocol !== alpn) {
        socket.destroy();
        throw new WebcommError(
          ERROR_CODES.NETWORK,
          `${endpoint} did not accept ALPN "${alpn}" (got ${String(socket.alpnProtocol)}).`,
        );
      }
      return {
        stream: socket,
        endpoint,
        ...(authorizer === undefined ? {} : { username: customAuthorizerUsername(authorizer) }),
        ...(authorizer?.password === undefined ? {} : { password: authorizer.password }),
      };
    },
    classifyError: (error) => classifySocketError(error, endpoint),
  };
}
