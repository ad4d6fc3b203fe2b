/**
 * Starts the local Web Communicator emulator: an aedes broker behaving like IoT Core,
 * its listeners (MQTT/TCP, MQTT/TLS, WebSocket, HTTP API), the local CA and Cognito endpoint.
 */
import { hideSecrets } from '@webcomm/core/internal';
import { createServer as createHttpServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Server as NetServer } from 'node:net';
import type { Duplex } from 'node:stream';
import { resolve, join } from 'node:path';
import { Aedes } from 'aedes';
import { ConnectionGate } from './broker/connection-gate.js';
import { IotBrokerRules } from './broker/iot-broker-rules.js';
import { forwardClientPublishes } from './broker/topic-rules.js';
import { TopicRuleEngine } from './rules/topic-rule-engine.js';
import type { ConnectionInfo } from './broker/live-sessions.js';
import { LiveSessions } from './broker/live-sessions.js';
import { LocalBrokerControl } from './broker/local-broker-control.js';
import { LocalCertificateAuthority } from './ca/local-certificate-authority.js';
import { COGNITO_PATH, createCognitoRoutes } from './cognito/cognito-routes.js';
import { createCorsRoute } from './http/cors.js';
import { createPortalRoutes } from './portal/portal-routes.js';
import { LocalIdentityIssuer } from './cognito/local-identity-issuer.js';
import { OpenIdTokens } from './cognito/openid-tokens.js';
import type { EmulatorOptions } from './emulator-options.js';
import { resolveOptions } from './emulator-options.js';
import { createMqttTcpServer } from './listeners/mqtt-tcp-listener.js';
import { createMutualTlsServer } from './listeners/mutual-tls-listener.js';
import { createWebSocketUpgrade, MQTT_WS_PATH } from './listeners/websocket-upgrade.js';
import { guardRequest } from './http/fail-closed.js';
import { parseRequestTarget } from './http/request-target.js';
import { HttpProblem, sendProblem } from './service/http-io.js';
import type {
  BrokerControl,
  CertificateAuthority,
  IdentityIssuer,
  RouteHandler,
  ServiceDeps,
} from './service/contracts.js';
import { secureDataDirectory } from './store/secure-data-directory.js';
import { randomToken, readOrCreateSecretFile, StateStore } from './store/state-store.js';
import { createDefaultService } from './default-service.js';
import { backendCredentials as readBackendCredentials } from './auth/backend-credentials.js';
import type { SigningCredentials } from './auth/header-signature.js';
import { createIotDataRoutes } from './http/iot-data-routes.js';
import { lineSafeLogger } from './logger.js';
import type { RefusalListener } from './refusal-events.js';
import { RefusalEvents } from './refusal-events.js';
import { removeEndpointsFile, writeEndpointsFile } from './endpoints-file.js';

/** Where each listener is, as URLs on the advertised host. */
export interface EmulatorEndpoints {
  /** Advertised host name. */
  readonly host: string;
  /** `mqtt://host:port` — MQTT over TCP (development only). */
  readonly mqtt: string;
  /** `mqtts://host:port` — MQTT over TLS, client certificate (ALPN `x-amzn-mqtt-ca`/none) or authorizer (ALPN `mqtt`). */
  readonly mqtts: string;
  /** `ws://host:port/mqtt` — MQTT over WebSocket. */
  readonly ws: string;
  /** `wss://host:port/mqtt` — MQTT over secure WebSocket (trust `caPem`). */
  readonly wss: string;
  /** `http://host:port` — the HTTP API (service routes, Cognito). */
  readonly http: string;
  /** `https://host:port` — the same API over TLS. */
  readonly https: string;
  /** `http://host:port/cognito` — the Cognito Identity endpoint (pass as `endpoint` to the AWS SDK client). */
  readonly cognito: string;
  /**
   * `http://host:port` — the IoT data plane (`Publish`, `DeleteConnection`): pass as `endpoint` to
   * `@aws-sdk/client-iot-data-plane`'s `IoTDataPlaneClient` with {@link RunningEmulator.backendCredentials}.
   */
  readonly iotData: string;
  /** The bound ports. */
  readonly ports: { readonly mqtt: number; readonly mqtts: number; readonly http: number; readonly https: number };
}

/** The broker as tests and tools see it. */
export interface EmulatorBroker extends BrokerControl {
  /** Live connections with their effective (clamped) settings. */
  connections(): ConnectionInfo[];
  /** Messages queued for a client's stored (persistent) session; 0 when it has none. */
  queuedMessages(clientId: string): Promise<number>;
}

/** A running emulator. */
export interface RunningEmulator {
  readonly endpoints: EmulatorEndpoints;
  /** PEM of the local CA: trust it for `mqtts`/`wss`/`https`. */
  readonly caPem: string;
  /** Bearer token of the admin API. Secret. */
  readonly adminToken: string;
  /**
   * The key pair the IoT data plane ({@link EmulatorEndpoints.iotData}) accepts, as a backend's
   * IAM role on AWS. The secret is shown as `[REDACTED]` when the handle is printed.
   */
  readonly backendCredentials: SigningCredentials;
  /** Absolute data directory. */
  readonly dataDir: string;
  readonly region: string;
  /** Cognito identity pool id (`<region>:00000000-0000-4000-8000-00000000e1e1`, the form AWS uses). */
  readonly identityPoolId: string;
  readonly ca: CertificateAuthority;
  readonly identities: IdentityIssuer;
  readonly broker: EmulatorBroker;
  /**
   * Calls `listener` with each refusal (a connection, upgrade, CONNECT, SUBSCRIBE, PUBLISH or packet
   * the emulator refused), with a stable `reason` such as `policy-denied` or `bad-signature`: what an
   * operator reads in the log, typed for tools and tests. The listener runs synchronously where
   * the refusal happens (keep it quick); one that throws is logged. Returns the function that removes it.
   */
  onRefusal(listener: RefusalListener): () => void;
  /** Closes every listener, socket and timer, then the databases. Idempotent. */
  stop(): Promise<void>;
}

function listen(server: NetServer, port: number, host: string): Promise<number> {
  return new Promise((resolvePort, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolvePort((server.address() as AddressInfo).port);
    });
  });
}

/** Tracks a server's sockets so stop() can end them (net/tls servers wait for open sockets to end). */
function trackSockets(server: NetServer): Set<Duplex> {
  const sockets = new Set<Duplex>();
  const track = (socket: Duplex): void => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };
  server.on('connection', track);
  // Upgraded WebSocket sockets leave the HTTP server's own bookkeeping; keep them too.
  server.on('upgrade', (_request: IncomingMessage, socket: Duplex) => track(socket));
  return sockets;
}

function close(server: NetServer, sockets: Set<Duplex>): Promise<void> {
  return new Promise((done) => {
    server.close(() => done());
    for (const socket of sockets) socket.destroy();
  });
}

function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/**
 * Starts the emulator. Listeners bind `127.0.0.1` on OS-chosen ports unless told otherwise (the
 * `webcomm serve` command uses fixed ones: 8080, 8443, 8883, 1883). Writes
 * `<dataDir>/endpoints.json` (mode 0600) once every listener is up, so the `webcomm` CLI finds this
 * emulator with `--data-dir`; `stop()` removes it.
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const resolved = resolveOptions(options);
  const { clock, host } = resolved;
  const logger = lineSafeLogger(resolved.logger);
  const dataDir = resolve(resolved.dataDir);
  await secureDataDirectory(dataDir);
  const cleanups: (() => Promise<void> | void)[] = [];
  const stopAll = async (): Promise<void> => {
    for (const cleanup of cleanups.splice(0).reverse()) {
      try {
        await cleanup();
      } catch (error) {
        logger.warn(`stop: ${(error as Error).message}`);
      }
    }
  };
  try {
    // Last on stop: files LevelDB created while running get 0600 too (the folder is 0700 meanwhile).
    cleanups.push(() => secureDataDirectory(dataDir));
    const store = await StateStore.open(dataDir);
    cleanups.push(() => store.close());
    const adminToken = await readOrCreateSecretFile(join(dataDir, 'admin-token'), () => randomToken());
    const backendCredentials = await readBackendCredentials(dataDir);
    const credentialKey = await readOrCreateSecretFile(join(dataDir, 'credential-key'), () => randomToken());
    const ca = await LocalCertificateAuthority.open(dataDir, store, resolved.certificateValidityDays);
    const identityPoolId = `${resolved.region}:00000000-0000-4000-8000-00000000e1e1`;
    const openIdTokens = await OpenIdTokens.open(dataDir, { identityPoolId, ttlMs: resolved.openIdTokenTtlMs, clock });
    const identities = new LocalIdentityIssuer(store, {
      region: resolved.region,
      identityPoolId,
      credentialTtlMs: resolved.credentialTtlMs,
      clock,
      credentialKey,
      openIdTokens,
    });
    await identities.purgeExpired();
    const service = await createDefaultService(dataDir, resolved.users, resolved.channels, {
      registrationRateLimit: resolved.registrationRateLimit,
      certificateSelfRegistration: resolved.certificateSelfRegistration,
      now: () => clock.now(),
    });
    cleanups.push(() => service.close());
    await secureDataDirectory(dataDir);
    const { users, channels } = service;

    const sessions = new LiveSessions();
    const refusals = new RefusalEvents(logger);
    const rules = new IotBrokerRules({
      sessions,
      users,
      channels,
      authorizers: resolved.authorizers,
      limits: resolved.limits,
      clock,
      logger,
      refusals,
      region: resolved.region,
      account: resolved.accountId,
      allowAnonymous: resolved.allowAnonymous,
      presenceInDefaultPolicy: resolved.presenceInDefaultPolicy,
      sessionExpiryMs: resolved.sessionExpiryMs,
      webSocketTtlMs: resolved.webSocketTtlMs,
      // The gate is built below; connections arrive only once the listeners are up.
      onAuthenticated: (stream) => gate.admitted(stream),
    });
    // aedes' connectTimeout stops at the first CONNECT byte; the gate's deadline runs until the CONNECT is authenticated.
    const broker = await Aedes.createBroker({
      heartbeatInterval: 3_600_000,
      connectTimeout: resolved.connectTimeoutMs,
    });
    rules.install(broker);
    const topicRules = new TopicRuleEngine(resolved.rules, logger, () => clock.now());
    forwardClientPublishes(broker, sessions, topicRules);
    cleanups.push(() => topicRules.close());
    const control = new LocalBrokerControl(broker, sessions, logger, topicRules);
    cleanups.push(() => new Promise<void>((done) => broker.close(() => done())));
    cleanups.push(() => rules.dispose());
    const gate = new ConnectionGate({
      broker,
      clock,
      logger,
      refusals,
      limits: {
        connectTimeoutMs: resolved.connectTimeoutMs,
        maxPendingPerAddress: resolved.maxPendingConnectionsPerAddress,
        maxPacketBytes: resolved.limits.maxPacketBytes,
      },
      onOversized: (stream, problem) => rules.clientError(stream, problem),
    });
    cleanups.push(() => gate.dispose());

    const serverCertificate = await ca.issueServerCertificate([resolved.advertisedHost]);
    const mqttServer = createMqttTcpServer({ gate, sessions, logger });
    const mqttsServer = createMutualTlsServer({ gate, sessions, ca, serverCertificate, logger, refusals });

    const upgradeDeps = {
      broker,
      sessions,
      gate,
      identities,
      backendCredentials,
      users,
      authorizers: resolved.authorizers,
      region: resolved.region,
      clock,
      logger,
      refusals,
    };
    const routeList: RouteHandler[] = [
      createCorsRoute(),
      createCognitoRoutes({ identities, users, logger, clock }),
      createIotDataRoutes({ broker: control, credentials: backendCredentials, region: resolved.region, clock, logger }),
    ];
    const handleRequest = guardRequest(async (request: IncomingMessage, response: ServerResponse) => {
      request.socket.setNoDelay(true);
      if (parseRequestTarget(request.url) === undefined) {
        sendProblem(
          response,
          new HttpProblem(
            400,
            'BAD_PATH',
            'The request target must be a path like /register: no empty or dot segments, no control characters.',
          ),
        );
        return;
      }
      for (const route of routeList) if (await route(request, response)) return;
      sendProblem(
        response,
        new HttpProblem(
          404,
          'NOT_FOUND',
          `No route for ${request.method ?? 'GET'} ${(request.url ?? '/').split('?')[0] ?? '/'}; see docs/emulator.md for the API.`,
        ),
      );
    }, logger);
    const httpServer = createHttpServer({ noDelay: true }, handleRequest);
    const httpsServer = createHttpsServer(
      { noDelay: true, key: serverCertificate.privateKeyPem, cert: serverCertificate.certificatePem },
      handleRequest,
    );
    const upgradeWs = createWebSocketUpgrade(upgradeDeps, 'ws');
    const upgradeWss = createWebSocketUpgrade(upgradeDeps, 'wss');
    httpServer.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      (socket as { setNoDelay?: (on: boolean) => void }).setNoDelay?.(true);
      upgradeWs(request, socket, head);
    });
    httpsServer.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      (socket as { setNoDelay?: (on: boolean) => void }).setNoDelay?.(true);
      upgradeWss(request, socket, head);
    });

    const servers = [mqttServer, mqttsServer, httpServer, httpsServer].map((server) => ({
      server,
      sockets: trackSockets(server),
    }));
    // Listeners and their sockets close before the broker (cleanups run in reverse); pushed before
    // listening, so a port in use closes the listeners already bound (else the process never exits).
    cleanups.push(() =>
      Promise.all(servers.map(({ server, sockets }) => close(server, sockets))).then(() => undefined),
    );
    const ports = {
      mqtt: await listen(mqttServer, resolved.ports.mqtt, host),
      mqtts: await listen(mqttsServer, resolved.ports.mqtts, host),
      http: await listen(httpServer, resolved.ports.http, host),
      https: await listen(httpsServer, resolved.ports.https, host),
    };
    cleanups.push(() => rules.beginShutdown());

    const advertised = urlHost(resolved.advertisedHost);
    const endpoints: EmulatorEndpoints = {
      host: resolved.advertisedHost,
      mqtt: `mqtt://${advertised}:${ports.mqtt}`,
      mqtts: `mqtts://${advertised}:${ports.mqtts}`,
      ws: `ws://${advertised}:${ports.http}${MQTT_WS_PATH}`,
      wss: `wss://${advertised}:${ports.https}${MQTT_WS_PATH}`,
      http: `http://${advertised}:${ports.http}`,
      https: `https://${advertised}:${ports.https}`,
      cognito: `http://${advertised}:${ports.http}${COGNITO_PATH}`,
      iotData: `http://${advertised}:${ports.http}`,
      ports,
    };
    const deps: ServiceDeps = {
      users,
      channels,
      ca,
      identities,
      broker: control,
      adminToken,
      endpoints: {
        // Plain ws by default: a browser page cannot trust the local CA without setup; wss stays available.
        websocket: resolved.secureWebSocket
          ? { host: resolved.advertisedHost, port: ports.https, url: endpoints.wss }
          : { host: resolved.advertisedHost, port: ports.http, url: endpoints.ws },
        secureWebsocket: { host: resolved.advertisedHost, port: ports.https, url: endpoints.wss },
        mutualTls: { host: resolved.advertisedHost, port: ports.mqtts },
        cognito: endpoints.cognito,
      },
    };
    const routes = resolved.routes ?? service.createRoutes;
    if (routes !== undefined) routeList.push(routes(deps));
    routeList.push(createPortalRoutes({ ...deps, onRefusal: (listener) => refusals.on(listener) }));
    // Last, so a tool that finds the file finds every listener up.
    await writeEndpointsFile(dataDir, {
      ...endpoints,
      identityPoolId: identities.identityPoolId,
      region: identities.region,
      dataDir,
      pid: process.pid,
      backendCredentials,
    });
    cleanups.push(() => removeEndpointsFile(dataDir));
    logger.info(
      `started: ${endpoints.mqtt} ${endpoints.mqtts} ${endpoints.ws} ${endpoints.wss} ${endpoints.http} (data ${dataDir})`,
    );

    let stopping: Promise<void> | undefined;
    // Printing the handle (console.log, JSON.stringify) shows the admin token and the backend secret as [REDACTED].
    return hideSecrets({
      endpoints,
      caPem: ca.caPem,
      adminToken,
      backendCredentials,
      dataDir,
      region: identities.region,
      identityPoolId: identities.identityPoolId,
      ca,
      identities,
      broker: control,
      onRefusal: (listener: RefusalListener) => refusals.on(listener),
      stop: () => (stopping ??= stopAll()),
    });
  } catch (error) {
    await stopAll();
    throw error;
  }
}
