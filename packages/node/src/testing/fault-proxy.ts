/**
 * A TCP proxy for your own tests of reconnect behaviour: put it between a client and a broker
 * (MQTT over TCP, TLS or WebSocket: it forwards bytes) and inject the faults real networks have.
 * Listens on 127.0.0.1 with an OS-chosen port.
 *
 * @example
 * ```ts
 * const proxy = await startFaultProxy({ port: brokerPort });
 * const client = new WebcommClient({ transport: tcpTransport({ host: '127.0.0.1', port: proxy.port }), clientId: 'c' });
 * await client.connect();
 * proxy.blackHole(); // the link goes silent: the client must notice within 1.5 × keepalive
 * ```
 */
import { connect, createServer, type Socket } from 'node:net';

/** Where the proxy forwards to. */
export interface FaultProxyTarget {
  /** @default "127.0.0.1" */
  readonly host?: string;
  readonly port: number;
}

/** A running proxy and its fault switches. Faults apply to current and new connections. */
export interface FaultProxy {
  readonly port: number;
  /** Connections accepted so far. */
  readonly accepted: number;
  /** Connections open now. */
  readonly open: number;
  /** Closes every current connection (both sides see a close). */
  drop(): void;
  /** Stops forwarding on every current connection without closing it (no FIN, no RST). */
  blackHole(): void;
  /** Adds `ms` of latency to every chunk, both ways. 0 removes it. */
  delay(ms: number): void;
  /** Limits each direction of each connection to `bytesPerSecond`. 0 removes the limit. */
  throttle(bytesPerSecond: number): void;
  /** Forwards `bytes` more bytes towards the client, then cuts the connection: a packet cut in half. */
  cutAfter(bytes: number): void;
  /** While true, new connections are closed at once (a broker that is down). */
  refuse(on: boolean): void;
  /** Removes delay, throttle and refusal (black holes and cuts already done stay done). */
  heal(): void;
  /** Closes every connection and the listener. */
  close(): Promise<void>;
}

interface Pair {
  readonly client: Socket;
  readonly upstream: Socket;
  holed: boolean;
  /** Bytes still to forward towards the client before the cut; undefined: no cut pending. */
  cutIn: number | undefined;
  readonly nextFree: { up: number; down: number };
}

/** Starts a fault-injecting TCP proxy in front of `target`. */
export async function startFaultProxy(target: FaultProxyTarget): Promise<FaultProxy> {
  const pairs = new Set<Pair>();
  const timers = new Set<NodeJS.Timeout>();
  let accepted = 0;
  let delayMs = 0;
  let bytesPerSecond = 0;
  let refusing = false;

  const destroy = (pair: Pair): void => {
    pair.client.destroy();
    pair.upstream.destroy();
    pairs.delete(pair);
  };

  /** Sends `chunk` after the configured delay and throttle, keeping order per direction. */
  const send = (pair: Pair, direction: 'up' | 'down', to: Socket, chunk: Buffer): void => {
    if (pair.holed) return;
    let out = chunk;
    if (direction === 'down' && pair.cutIn !== undefined) {
      out = chunk.subarray(0, pair.cutIn);
      pair.cutIn -= out.length;
    }
    const cutNow = direction === 'down' && pair.cutIn === 0;
    const now = Date.now();
    const start = Math.max(now, pair.nextFree[direction]);
    pair.nextFree[direction] = start + (bytesPerSecond > 0 ? (out.length / bytesPerSecond) * 1000 : 0);
    const wait = pair.nextFree[direction] - now + delayMs;
    const deliver = (): void => {
      if (pair.holed || to.destroyed) return;
      if (out.length > 0) to.write(out);
      if (cutNow) destroy(pair);
    };
    if (wait <= 0) return deliver();
    const timer = setTimeout(() => {
      timers.delete(timer);
      deliver();
    }, wait);
    timers.add(timer);
  };

  const server = createServer((client) => {
    accepted += 1;
    if (refusing) return void client.destroy();
    client.setNoDelay(true);
    const upstream = connect({ host: target.host ?? '127.0.0.1', port: target.port, noDelay: true });
    const pair: Pair = { client, upstream, holed: false, cutIn: undefined, nextFree: { up: 0, down: 0 } };
    pairs.add(pair);
    client.on('data', (chunk: Buffer) => send(pair, 'up', upstream, chunk));
    upstream.on('data', (chunk: Buffer) => send(pair, 'down', client, chunk));
    const end = (): void => {
      if (!pair.holed) destroy(pair); // a black hole never tells the other side anything
    };
    client.on('close', end);
    upstream.on('close', end);
    client.on('error', () => undefined);
    upstream.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('fault proxy: no TCP address');

  return {
    port: address.port,
    get accepted() {
      return accepted;
    },
    get open() {
      return pairs.size;
    },
    drop: () => [...pairs].forEach(destroy),
    blackHole: () => pairs.forEach((pair) => (pair.holed = true)),
    delay: (ms) => void (delayMs = Math.max(0, ms)),
    throttle: (rate) => void (bytesPerSecond = Math.max(0, rate)),
    cutAfter: (bytes) => pairs.forEach((pair) => (pair.cutIn = Math.max(0, bytes))),
    refuse: (on) => void (refusing = on),
    heal: () => {
      delayMs = 0;
      bytesPerSecond = 0;
      refusing = false;
    },
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const pair of pairs) {
        pair.client.destroy();
        pair.upstream.destroy();
      }
      pairs.clear();
      await closed;
    },
  };
}
