/**
 * A real aedes broker on 127.0.0.1 with an OS-chosen port, for integration tests. `restart()`
 * drops every client and listens again on the same port (a broker restart, as clients see
 * it); `stop()` tears everything down. Extend `TestBrokerOptions` for more hooks.
 */
import { Aedes, type AedesOptions } from 'aedes';
import { createServer, type Server, type Socket } from 'node:net';

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
  /** Port to listen on (restart keeps the port). @default 0 */
  port?: number;
}

/** A running broker. */
export interface TestBroker {
  readonly port: number;
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
      aedes.handle(socket);
    });
    return listen(server, port);
  };
  const shutdown = async (): Promise<void> => {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
    await closed;
  };
  const port = await boot(options.port ?? 0);
  return {
    port,
    get aedes() {
      return aedes;
    },
    sockets,
    async restart() {
      await shutdown();
      await boot(port);
    },
    stop: shutdown,
  };
}
