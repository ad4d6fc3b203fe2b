/**
 * The `/mqtt` WebSocket upgrade: authenticates the request like IoT Core (SigV4 presigned URL
 * or custom authorizer in query/headers), refuses with HTTP 403 `{message, traceId}`, a log line
 * and a refusal event naming the failed check, and hands accepted sockets to aedes as streams.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { WebSocketDuplex } from './websocket-duplex.js';
import { answerSocket, guardUpgrade } from '../http/fail-closed.js';
import { parseRequestTarget } from '../http/request-target.js';
import type { Aedes } from 'aedes';
import type { CustomAuthorizerConfig } from '../auth/custom-authorizer.js';
import { parseAuthorizerHttp, runAuthorizer } from '../auth/custom-authorizer.js';
import { BACKEND_POLICY } from '../auth/backend-credentials.js';
import type { SigningCredentials } from '../auth/header-signature.js';
import { verifyPresignedRequest } from '../auth/sigv4-verifier.js';
import type { ConnectionGate } from '../broker/connection-gate.js';
import type { LiveSessions } from '../broker/live-sessions.js';
import type { TransportAuth, TransportKind } from '../broker/transport-auth.js';
import type { Clock } from '../clock.js';
import type { LocalIdentityIssuer } from '../cognito/local-identity-issuer.js';
import type { Logger } from '../logger.js';
import type { RefusalEvents, UpgradeRefusalReason } from '../refusal-events.js';
import type { UserDirectory } from '../service/contracts.js';

/** The WebSocket path, as IoT Core's. */
export const MQTT_WS_PATH = '/mqtt';

/** What the upgrade handler needs. */
export interface WebSocketUpgradeDeps {
  readonly broker: Aedes;
  readonly sessions: LiveSessions;
  /** Admission before CONNECT (per-address cap, deadline, packet-size limit). */
  readonly gate: ConnectionGate;
  readonly identities: LocalIdentityIssuer;
  /** Accepted on the SigV4 URL too: an operator's MQTT connection (watching presence, say). */
  readonly backendCredentials?: SigningCredentials;
  readonly users: UserDirectory;
  readonly authorizers: ReadonlyMap<string, CustomAuthorizerConfig>;
  readonly region: string;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly refusals: RefusalEvents;
}

type Refusal = {
  readonly status: number;
  readonly reason: UpgradeRefusalReason;
  readonly check: string;
  readonly message: string;
};

function flatHeaders(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) if (typeof value === 'string') headers[name] = value;
  return headers;
}

function refuse(
  socket: Duplex,
  refusal: Refusal,
  deps: WebSocketUpgradeDeps,
  transport: TransportKind,
  ipAddress: string,
): void {
  const traceId = randomUUID();
  const detail = `${transport} upgrade refused (${refusal.status}, traceId ${traceId}): ${refusal.check}`;
  deps.logger.info(detail);
  deps.refusals.emit({
    action: 'upgrade',
    reason: refusal.reason,
    transport,
    ipAddress,
    status: refusal.status,
    traceId,
    linkKept: false,
    detail,
  });
  answerSocket(socket, refusal.status, { message: refusal.message, traceId });
}

/** Creates the `upgrade` listener for one HTTP(S) server. */
export function createWebSocketUpgrade(deps: WebSocketUpgradeDeps, transport: 'ws' | 'wss') {
  const server = new WebSocketServer({
    noServer: true,
    // ws buffers a whole message before handing it on: cap it near the MQTT packet limit (a
    // message may carry a few packets), not at ws' default of 100 MiB.
    maxPayload: 2 * deps.gate.limits.maxPacketBytes,
    // IoT Core speaks `mqttv3.1` to 3.1.1 clients and `mqtt` to MQTT 5 clients: accept either.
    handleProtocols: (protocols) => (protocols.has('mqtt') ? 'mqtt' : protocols.has('mqttv3.1') ? 'mqttv3.1' : false),
  });

  async function authenticate(request: IncomingMessage, url: URL, ipAddress: string): Promise<TransportAuth | Refusal> {
    const http = { headers: flatHeaders(request), queryString: url.search.replace(/^\?/, '') };
    if (url.searchParams.has('X-Amz-Signature')) {
      const result = await verifyPresignedRequest(url, request.headersDistinct, {
        ...deps,
        ...(deps.backendCredentials === undefined ? {} : { backend: deps.backendCredentials }),
      });
      if (!result.ok)
        return {
          status: 403,
          reason: result.check,
          check: `sigv4 ${result.check}: ${result.detail}`,
          message: 'Forbidden',
        };
      const { signer } = result;
      // The backend credentials are an operator's: any client id, the backend policy (presence too).
      if (signer.kind === 'backend')
        return {
          transport,
          ipAddress,
          kind: 'sigv4',
          principalId: result.accessKeyId,
          policyDocuments: [BACKEND_POLICY],
          http,
        };
      if (deps.users.isBanned(signer.identityId))
        return {
          status: 403,
          reason: 'banned',
          check: `identity ${signer.identityId} is banned`,
          message: 'Forbidden',
        };
      return {
        // IoT Core keeps a WebSocket open past its credentials' expiry (up to 24 h); so do we.
        transport,
        ipAddress,
        kind: 'sigv4',
        principalId: signer.identityId,
        clientIdMustBe: signer.identityId,
        http,
      };
    }
    const authorizer = parseAuthorizerHttp(url, request.headers);
    if (authorizer !== undefined) {
      const outcome = await runAuthorizer(
        deps.authorizers,
        authorizer,
        {
          protocols: ['http'],
          protocolData: { http },
          connectionMetadata: { id: randomUUID() },
        },
        deps.clock,
      );
      if (!outcome.ok)
        return {
          status: 403,
          reason: outcome.refusal,
          check: `custom authorizer ${outcome.refusal}: ${outcome.detail}`,
          message: 'Forbidden',
        };
      const { response } = outcome;
      return {
        transport,
        ipAddress,
        kind: 'authorizer',
        principalId: response.principalId,
        policyDocuments: response.policyDocuments,
        disconnectAt: deps.clock.now() + response.disconnectAfterInSeconds * 1000,
        disconnectReason: 'CUSTOMAUTH_TTL_EXPIRATION',
        http,
      };
    }
    // No credentials on the URL: the MQTT CONNECT may still carry an authorizer username.
    return { transport, ipAddress, kind: 'none', http };
  }

  const upgrade = async (request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> => {
    const ipAddress = request.socket.remoteAddress ?? 'unknown';
    const url = parseRequestTarget(request.url);
    if (url === undefined) {
      refuse(
        socket,
        {
          status: 400,
          reason: 'bad-request-target',
          check: 'malformed request target',
          message: `Bad request: connect to ${MQTT_WS_PATH}`,
        },
        deps,
        transport,
        ipAddress,
      );
      return;
    }
    if (url.pathname !== MQTT_WS_PATH) {
      refuse(
        socket,
        {
          status: 404,
          reason: 'wrong-path',
          check: `path ${url.pathname} is not ${MQTT_WS_PATH}`,
          message: `Not found: MQTT over WebSocket is at ${MQTT_WS_PATH}`,
        },
        deps,
        transport,
        ipAddress,
      );
      return;
    }
    const auth = await authenticate(request, url, ipAddress);
    if ('status' in auth) {
      refuse(socket, auth, deps, transport, ipAddress);
      return;
    }
    server.handleUpgrade(request, socket, head, (ws) => {
      try {
        const stream = new WebSocketDuplex(ws);
        stream.on('error', () => stream.destroy());
        deps.sessions.attach(stream, auth);
        deps.gate.handle(stream, ipAddress, transport, request);
      } catch (error) {
        deps.logger.error(`${transport} connection setup failed: ${(error as Error).message}`);
        ws.terminate();
      }
    });
  };
  // A throw anywhere above answers 500 on this socket only.
  return guardUpgrade(upgrade, deps.logger, transport);
}
