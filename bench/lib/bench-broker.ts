/**
 * An aedes broker for benchmarks on 127.0.0.1 (OS-chosen ports), over TCP and optionally
 * WebSocket. `noDelay` says whether the broker's own sockets turn Nagle off: aedes leaves it on
 * by default, which adds a ~40 ms tail to small writes (benchmarks report which one they used).
 */
import { Aedes } from 'aedes';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, createWebSocketStream } from 'ws';

/** Options of {@link startBenchBroker}. */
export interface BenchBrokerOptions {
  /** Call `setNoDelay(true)` on every accepted TCP socket. */
  readonly noDelay: boolean;
  /** Also listen for MQTT over WebSocket (path `/mqtt`). @default false */
  readonly ws?: boolean;
}

/** A running benchmark broker. */
export interface BenchBroker {
  readonly port: number;
  /** WebSocket port, when `ws` was asked for. */
  readonly wsPort: number | undefined;
  readonly aedes: Aedes;
  /** Drops every client and closes the listeners, then listens again on the same ports. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

async function listen(server: Server | HttpServer, port: number): Promise<number> {
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

export async function startBenchBroker(options: BenchBrokerOptions): Promise<BenchBroker> {
  const streams = new Set<Socket | Duplex>();
  let aedes!: Aedes;
  let tcp!: Server;
  let http: HttpServer | undefined;
  let wss: WebSocketServer | undefined;
  const track = (stream: Socket | Duplex): void => {
    streams.add(stream);
    stream.on('close', () => streams.delete(stream));
    stream.on('error', () => undefined);
  };
  const boot = async (port: number, wsPort: number | undefined): Promise<[number, number | undefined]> => {
    aedes = await Aedes.createBroker({});
    tcp = createServer((socket) => {
      if (options.noDelay) socket.setNoDelay(true);
      track(socket);
      aedes.handle(socket);
    });
    const tcpPort = await listen(tcp, port);
    if (options.ws !== true) return [tcpPort, undefined];
    http = createHttpServer();
    wss = new WebSocketServer({ server: http, path: '/mqtt' });
    wss.on('connection', (socket, request) => {
      if (options.noDelay) request.socket.setNoDelay(true);
      const stream = createWebSocketStream(socket);
      track(stream);
      aedes.handle(stream);
    });
    return [tcpPort, await listen(http, wsPort ?? 0)];
  };
  const shutdown = async (): Promise<void> => {
    const closed = [new Promise<void>((resolve) => tcp.close(() => resolve()))];
    if (http !== undefined) {
      const server = http;
      for (const client of wss?.clients ?? []) client.terminate();
      closed.push(new Promise<void>((resolve) => server.close(() => resolve())));
    }
    for (const stream of streams) stream.destroy();
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
    await Promise.all(closed);
  };
  const [port, wsPort] = await boot(0, undefined);
  return {
    port,
    wsPort,
    get aedes() {
      return aedes;
    },
    async restart() {
      await shutdown();
      await boot(port, wsPort);
    },
    stop: shutdown,
  };
}
