/**
 * Many idle subscribed clients in this process (ours or MQTT.js with its defaults), recording
 * when each starts a connection attempt and when each is subscribed again after a drop.
 */
import { WebcommClient, type BackoffOptions } from '@webcomm/core';
import mqtt, { type MqttClient } from 'mqtt';
import { TOPIC } from './subscribers.js';
import { benchTcpTransport, type BenchTcpTransport } from './tcp-transport.js';
import { wallNow } from './wall-clock.js';

/** A fleet of connected clients. */
export interface Fleet {
  readonly size: number;
  /** {@link wallNow} of every connection attempt (initial ones included). */
  attempts(): number[];
  /**
   * When each reconnect attempt was due ({@link wallNow} of the `reconnecting` event plus its
   * delay): what independent machines would do, free of this one process's event-loop delays.
   */
  scheduled(): number[];
  /** Resolves with each client's {@link wallNow} of being subscribed again after `since`; rejects after `timeoutMs`. */
  resubscribed(since: number, timeoutMs: number): Promise<number[]>;
  /** Resolves with each client's {@link wallNow} of its first message on the topic after `since`. */
  delivered(since: number, timeoutMs: number): Promise<number[]>;
  close(): Promise<void>;
}

/** Runs `task` for 0 … n-1 with at most `width` at a time. */
async function inBatches(n: number, width: number, task: (i: number) => Promise<void>): Promise<void> {
  for (let start = 0; start < n; start += width) {
    await Promise.all(Array.from({ length: Math.min(width, n - start) }, (_, k) => task(start + k)));
  }
}

/** Time-ordered "subscribed" stamps per client; `waiters` get told as stamps arrive. */
class Stamps {
  readonly perClient: number[][];
  readonly #listeners = new Set<() => void>();
  constructor(n: number) {
    this.perClient = Array.from({ length: n }, () => []);
  }
  push(client: number): void {
    this.perClient[client]?.push(wallNow());
    for (const listener of this.#listeners) listener();
  }
  wait(since: number, timeoutMs: number): Promise<number[]> {
    const firstAfter = (): (number | undefined)[] => this.perClient.map((stamps) => stamps.find((t) => t >= since));
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const found = firstAfter();
        if (found.every((t) => t !== undefined)) {
          this.#listeners.delete(check);
          clearTimeout(timer);
          resolve(found as number[]);
        }
      };
      const timer = setTimeout(() => {
        this.#listeners.delete(check);
        const missing = firstAfter().filter((t) => t === undefined).length;
        reject(new Error(`${missing} of ${this.perClient.length} clients not resubscribed after ${timeoutMs} ms`));
      }, timeoutMs);
      this.#listeners.add(check);
      check();
    });
  }
}

/** Our clients: one channel each, default options unless `backoff` is given. */
export async function ourFleet(port: number, n: number, backoff?: Partial<BackoffOptions>): Promise<Fleet> {
  const transports: BenchTcpTransport[] = [];
  const clients: WebcommClient[] = [];
  const stamps = new Stamps(n);
  const deliveries = new Stamps(n);
  const scheduled: number[] = [];
  await inBatches(n, 50, async (i) => {
    const transport = benchTcpTransport(port);
    const client = new WebcommClient({
      transport,
      clientId: `fleet-ours-${i}`,
      channels: [{ name: 'broadcast', topic: TOPIC }],
      ...(backoff === undefined ? {} : { backoff }),
    });
    // `connected` is emitted once every subscription is restored (SUBACK received).
    client.on('connected', () => stamps.push(i));
    client.on('reconnecting', ({ delayMs }) => scheduled.push(wallNow() + delayMs));
    client.on('error', () => undefined);
    await client.subscribe('broadcast', () => deliveries.push(i), { decode: 'raw' });
    await client.connect();
    transports[i] = transport;
    clients[i] = client;
  });
  return {
    size: n,
    attempts: () => transports.flatMap((t) => t.attempts),
    scheduled: () => [...scheduled],
    resubscribed: (since, timeoutMs) => stamps.wait(since, timeoutMs),
    delivered: (since, timeoutMs) => deliveries.wait(since, timeoutMs),
    async close() {
      await Promise.all(clients.map((c) => c.close()));
    },
  };
}

/** MQTT.js clients with their defaults (reconnectPeriod 1000 ms, resubscribe on). */
export async function peerFleet(port: number, n: number): Promise<Fleet> {
  const clients: MqttClient[] = [];
  const attempts: number[] = [];
  const stamps = new Stamps(n);
  const deliveries = new Stamps(n);
  await inBatches(n, 50, async (i) => {
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { clientId: `fleet-peer-${i}` });
    client.on('error', () => undefined);
    client.on('message', () => deliveries.push(i));
    // MQTT.js emits `reconnect` as it starts each reconnection attempt.
    client.on('reconnect', () => attempts.push(wallNow()));
    client.on('packetreceive', (packet) => {
      if (packet.cmd === 'suback') stamps.push(i);
    });
    attempts.push(wallNow());
    await client.subscribeAsync(TOPIC, { qos: 0 });
    clients[i] = client;
  });
  return {
    size: n,
    attempts: () => [...attempts],
    // A fixed period has no schedule apart from its attempts.
    scheduled: () => [...attempts],
    resubscribed: (since, timeoutMs) => stamps.wait(since, timeoutMs),
    delivered: (since, timeoutMs) => deliveries.wait(since, timeoutMs),
    async close() {
      await Promise.all(clients.map((c) => c.endAsync(true)));
    },
  };
}

/** The most timestamps that fall in any window of `windowMs` (a sliding window). */
export function peakInWindow(timestamps: readonly number[], windowMs: number): number {
  const sorted = [...timestamps].sort((a, b) => a - b);
  let peak = 0;
  for (let lo = 0, hi = 0; hi < sorted.length; hi++) {
    while ((sorted[hi] ?? 0) - (sorted[lo] ?? 0) >= windowMs) lo++;
    peak = Math.max(peak, hi - lo + 1);
  }
  return peak;
}

/** Counts of timestamps per bin of `binMs` from `origin`. */
export function histogram(timestamps: readonly number[], origin: number, binMs: number, bins: number): number[] {
  const counts = new Array<number>(bins).fill(0);
  for (const t of timestamps) {
    const bin = Math.floor((t - origin) / binMs);
    if (bin >= 0 && bin < bins) counts[bin] = (counts[bin] ?? 0) + 1;
  }
  return counts;
}
