/**
 * Test fixture: a real aedes broker behind a real `ws` server on 127.0.0.1, port 0. Counts the
 * WebSocket messages each connection sends (the `ws` client never fragments, so one message is
 * one frame) and records every upgrade request. Extend it by adding options, not by mocking.
 */
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Aedes } from 'aedes';
import { createWebSocketStream, WebSocketServer, type WebSocket } from 'ws';

export interface WsBrokerOptions {
  /** Refuse the upgrade with this HTTP status when it returns a number. */
  refuse?: (request: IncomingMessage) => number | undefined;
  /** Called with each accepted socket before aedes gets it (to pause, close, send text…). */
  onSocket?: (socket: WebSocket, request: IncomingMessage) => void;
  /** Do not attach aedes (raw WebSocket tests). */
  raw?: boolean;
}

export interface WsBroker {
  readonly port: number;
  readonly url: string;
  /** Upgrade requests seen, in order: URL and offered subprotocols. */
  readonly upgrades: { url: string; protocols: string | undefined }[];
  /** Frames received from clients since the last reset. */
  framesIn: number;
  /** Bytes received from clients since the last reset. */
  bytesIn: number;
  readonly broker: Aedes;
  close(): Promise<void>;
}

export async function startWsBroker(options: WsBrokerOptions = {}): Promise<WsBroker> {
  const broker = await Aedes.createBroker();
  const server = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    verifyClient: (info, done) => {
      const status = options.refuse?.(info.req);
      if (status === undefined) done(true);
      else done(false, status, 'Refused by test');
    },
  });
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const port = (server.address() as AddressInfo).port;
  const state: WsBroker = {
    port,
    url: `ws://127.0.0.1:${port}`,
    upgrades: [],
    framesIn: 0,
    bytesIn: 0,
    broker,
    close: async () => {
      for (const client of server.clients) client.terminate();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) => broker.close(() => resolve()));
    },
  };
  server.on('headers', (_headers, request) => {
    state.upgrades.push({ url: request.url ?? '', protocols: request.headers['sec-websocket-protocol'] });
  });
  server.on('connection', (socket, request) => {
    socket.on('message', (data: Buffer) => {
      state.framesIn += 1;
      state.bytesIn += data.length;
    });
    options.onSocket?.(socket, request);
    if (!options.raw) broker.handle(createWebSocketStream(socket));
  });
  return state;
}
