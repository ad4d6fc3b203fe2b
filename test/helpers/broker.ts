/**
 * A real aedes broker on 127.0.0.1 with an OS-chosen port, for integration tests. `restart()`
 * drops every client and listens again on the same port (a broker restart, as clients see
 * it); `stop()` tears everything down. Extend `TestBrokerOptions` for more hooks.
 */
import { Aedes, type AedesOptions } from 'aedes';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import { createWebSocketStream, WebSocketServer } from 'ws';

/** Options of {@link startBroker}. */
export interface TestBrokerOptions {
  /** aedes `authenticate` hook; e.g. call back an error with `returnCode` 4 or 5. */
  authenticate?: AedesOptions['authenticate'];
  /**
   * aedes `authorizeSubscribe` hook. Calling back an error closes the client's connection, as
   * IoT Core does on MQTT 3.1.1 for a filter outside the policy; `done(null, null)` answers
   * SUBACK 0x80 instead (the link stays up).
   */
  authorizeSubscribe?: AedesOptions['authorizeSubscribe'];
  /** aedes `authorizePublish` hook. Calling back an error closes the connection, as IoT Core does. */
  authorizePublish?: AedesOptions['authorizePublish'];
  /**
   * Number each connection's outgoing packet ids from 1, as mosquitto does for a new session
   * (aedes starts at a random id), so that a kept session's new message can repeat an old one's
   * id, topic and payload: the case a QoS 1 deduplication must not mistake for a resend.
   * @default false
   */
  packetIdsFromOne?: boolean;
  /** Port to listen on (restart keeps the port). @default 0 */
  port?: number;
  /** Also listen for MQTT over WebSocket (`wsPort`, any path, subprotocol `mqtt`). @default false */
  webSocket?: boolean;
}

/** A running broker. */
export interface TestBroker {
  readonly port: number;
  /** The WebSocket listener's port (with `webSocket: true`), else undefined. */
  readonly wsPort: number | undefined;
  readonly aedes: Aedes;
  /** Open sockets right now. */
  readonly sockets: ReadonlySet<Socket>;
  /** Closes the listener and every connection, then starts a fresh broker on the same port. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

async function listen(server: Server, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return address.port;
}

export async function startBroker(options: TestBrokerOptions = {}): Promise<TestBroker> {
  const sockets = new Set<Socket>();
  let aedes: Aedes;
  let server: Server;
  let wsServer: { http: HttpServer; ws: WebSocketServer } | undefined;
  const bootWebSocket = async (port: number): Promise<number> => {
    const http = createHttpServer();
    const ws = new WebSocketServer({ server: http });
    ws.on('connection', (socket, request) => {
      const raw = request.socket;
      raw.setNoDelay(true);
      sockets.add(raw);
      raw.on('close', () => sockets.delete(raw));
      aedes.handle(createWebSocketStream(socket) as never);
    });
    wsServer = { http, ws };
    return listen(http as unknown as Server, port);
  };
  const boot = async (port: number): Promise<number> => {
    const hooks: AedesOptions = {};
    if (options.authenticate !== undefined) hooks.authenticate = options.authenticate;
    if (options.authorizeSubscribe !== undefined) hooks.authorizeSubscribe = options.authorizeSubscribe;
    if (options.authorizePublish !== undefined) hooks.authorizePublish = options.authorizePublish;
    aedes = await Aedes.createBroker(hooks);
    server = createServer((socket) => {
      socket.setNoDelay(true);
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      const client = aedes.handle(socket);
      if (options.packetIdsFromOne === true) (client as unknown as { _nextId: number })._nextId = 1;
    });
    return listen(server, port);
  };
  const shutdown = async (): Promise<void> => {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    const web = wsServer;
    wsServer = undefined;
    const wsClosed =
      web === undefined ? Promise.resolve() : new Promise<void>((resolve) => web.http.close(() => resolve()));
    web?.ws.close();
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
    await closed;
    await wsClosed;
  };
  const port = await boot(options.port ?? 0);
  const wsPort = options.webSocket === true ? await bootWebSocket(0) : undefined;
  return {
    port,
    wsPort,
    get aedes() {
      return aedes;
    },
    sockets,
    async restart() {
      await shutdown();
      await boot(port);
      if (wsPort !== undefined) await bootWebSocket(wsPort);
    },
    stop: shutdown,
  };
}
