/**
 * MQTT over TLS: client certificates issued by the local CA (ALPN `x-amzn-mqtt-ca` or none),
 * or a custom authorizer in the MQTT username (ALPN `mqtt`, as IoT Core on port 443).
 */
import type { TLSSocket } from 'node:tls';
import { createServer } from 'node:tls';
import type { ConnectionGate } from '../broker/connection-gate.js';
import type { LiveSessions } from '../broker/live-sessions.js';
import type { ServerCertificate } from '../ca/local-certificate-authority.js';
import type { Logger } from '../logger.js';
import type { ConnectRefusalReason, RefusalEvents } from '../refusal-events.js';
import type { CertificateAuthority } from '../service/contracts.js';
import { guardConnection } from '../http/fail-closed.js';

/** ALPN protocols accepted, as IoT Core's. */
export const MQTT_ALPN = ['x-amzn-mqtt-ca', 'mqtt'];

/** Creates the TLS server; it is not listening yet. */
export function createMutualTlsServer(deps: {
  gate: ConnectionGate;
  sessions: LiveSessions;
  ca: CertificateAuthority;
  serverCertificate: ServerCertificate;
  logger: Logger;
  refusals: RefusalEvents;
}) {
  const { gate, sessions, ca, logger, refusals } = deps;
  const server = createServer({
    key: deps.serverCertificate.privateKeyPem,
    cert: deps.serverCertificate.certificatePem,
    ca: [ca.caPem],
    requestCert: true,
    // Checked per connection below: ALPN `mqtt` may use a custom authorizer instead of a certificate.
    rejectUnauthorized: false,
    ALPNProtocols: MQTT_ALPN,
    // The handshake gets the same deadline as the CONNECT after it (Node's default is 120 s).
    handshakeTimeout: gate.limits.connectTimeoutMs,
  });
  server.on(
    'secureConnection',
    guardConnection(
      (socket: TLSSocket) => {
        socket.setNoDelay(true);
        socket.on('error', () => socket.destroy());
        const ipAddress = socket.remoteAddress ?? 'unknown';
        const refuse = (reason: ConnectRefusalReason, check: string): void => {
          const detail = `mqtts connection from ${ipAddress} refused: ${check}`;
          logger.info(detail);
          refusals.emit({ action: 'connect', reason, transport: 'tls', ipAddress, linkKept: false, detail });
          socket.destroy();
        };
        if (socket.authorized) {
          const peer = socket.getPeerCertificate();
          const commonName = peer.subject.CN;
          const clientId = Array.isArray(commonName) ? commonName[0] : commonName;
          if (clientId === undefined || clientId === '')
            return refuse('certificate-without-cn', 'certificate has no CN');
          // A revoked certificate still completes TLS, then gets CONNACK "not authorized": a client
          // can tell that apart from a network fault and stop retrying (or re-register once).
          const revoked = ca.isRevoked(peer.serialNumber)
            ? {
                refusal: {
                  reason: 'certificate-revoked' as const,
                  check: `certificate ${peer.serialNumber} is revoked`,
                },
              }
            : {};
          sessions.attach(socket, {
            transport: 'tls',
            ipAddress,
            kind: 'certificate',
            principalId: peer.serialNumber.toLowerCase(),
            clientIdMustBe: clientId,
            ...revoked,
          });
        } else if (socket.alpnProtocol === 'mqtt') {
          sessions.attach(socket, { transport: 'tls', ipAddress, kind: 'none' });
        } else {
          return refuse(
            'certificate-required',
            `client certificate required (${String(socket.authorizationError ?? 'none sent')})`,
          );
        }
        gate.handle(socket, ipAddress, 'tls');
      },
      logger,
      'mqtts',
    ),
  );
  // Node leaves the socket open after a failed or timed-out handshake once this is listened to.
  server.on('tlsClientError', (error, socket) => {
    const detail = `mqtts handshake failed: ${error.message}`;
    logger.info(detail);
    refusals.emit({
      action: 'connect',
      reason: 'tls-handshake-failed',
      transport: 'tls',
      ipAddress: socket.remoteAddress ?? 'unknown',
      linkKept: false,
      detail,
    });
    socket.destroy();
  });
  return server;
}
