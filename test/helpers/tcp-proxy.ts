/**
 * A TCP proxy on 127.0.0.1:0 in front of a target port. `blackHole()` keeps every current
 * connection open but silently drops all bytes in both directions (no FIN, no RST): what a
 * dead NAT mapping or a pulled cable looks like. New connections after `blackHole()` work.
 */
import { connect, createServer, type Socket } from 'node:net';

export interface TcpProxy {
  readonly port: number;
  /** Connections accepted so far. */
  readonly accepted: number;
  /** Stop forwarding on every current connection, without closing it. */
  blackHole(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  const pairs = new Set<{ client: Socket; upstream: Socket; holed: boolean }>();
  let accepted = 0;
  const server = createServer((client) => {
    accepted += 1;
    client.setNoDelay(true);
    const upstream = connect({ host: '127.0.0.1', port: targetPort, noDelay: true });
    const pair = { client, upstream, holed: false };
    pairs.add(pair);
    client.on('data', (chunk) => {
      if (!pair.holed) upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      if (!pair.holed) client.write(chunk);
    });
    const end = (): void => {
      if (pair.holed) return; // a black hole never tells the other side anything
      client.destroy();
      upstream.destroy();
      pairs.delete(pair);
    };
    client.on('close', end);
    upstream.on('close', end);
    client.on('error', () => undefined);
    upstream.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return {
    port: address.port,
    get accepted() {
      return accepted;
    },
    blackHole() {
      for (const pair of pairs) pair.holed = true;
    },
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const pair of pairs) {
        pair.client.destroy();
        pair.upstream.destroy();
      }
      pairs.clear();
      await closed;
    },
  };
}
