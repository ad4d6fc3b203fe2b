/**
 * Plug-in points for benchmarks that need packages written in parallel: each loader imports
 * the package if this checkout has it and returns what the benchmark needs, or the reason it
 * cannot run (reported as "not measured", never as a made-up figure).
 */
import type { Transport } from '@webcomm/core';

/** A loader's answer. */
export type Loaded<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly missing: string };

// Through a variable so TypeScript does not need the package to exist in this checkout.
const importOptional = (specifier: string): Promise<Record<string, unknown>> =>
  import(specifier) as Promise<Record<string, unknown>>;

/** Makes our WebSocket transport to a plain `ws://` broker URL (no auth), for Node. */
export type WebSocketTransportFactory = (url: string) => Transport;

/**
 * `@webcomm/browser`'s `webSocketTransport({ endpoint, auth: { type: 'none' }, WebSocket })`
 * (branch `browser`), given the `ws` package's WebSocket since Node 20 has none built in.
 */
export async function loadWebSocketTransport(): Promise<Loaded<WebSocketTransportFactory>> {
  let browser: Record<string, unknown>;
  try {
    // A literal specifier: the rate worker is bundled (lib/compile-worker.ts), and a bundler
    // follows only literal imports.
    browser = (await import('@webcomm/browser')) as unknown as Record<string, unknown>;
  } catch (error) {
    return {
      ok: false,
      missing: `needs @webcomm/browser's WebSocket transport (branch browser): ${(error as Error).message.split('\n')[0]}`,
    };
  }
  const make = browser.webSocketTransport;
  if (typeof make !== 'function') return { ok: false, missing: '@webcomm/browser has no webSocketTransport export' };
  const { WebSocket } = await import('ws');
  return {
    ok: true,
    value: (url) => (make as (o: object) => Transport)({ endpoint: url, auth: { type: 'none' }, WebSocket }),
  };
}

/** What the fan-out benchmark needs from the emulator. */
export interface FanoutTarget {
  /** `ws://…/mqtt` for anonymous clients. */
  readonly wsUrl: string;
  /** A topic every anonymous client may subscribe to (the broadcast channel). */
  readonly topic: string;
  publish(topic: string, payload: Uint8Array): Promise<void>;
  stop(): Promise<void>;
}

/**
 * `@webcomm/emulator`'s `startEmulator()` (branch `emu`) with anonymous clients allowed. The
 * broadcast topic comes from `BENCH_BROADCAST_TOPIC` until the emulator exports its default
 * channel list.
 */
export async function loadEmulatorTarget(dataDir: string): Promise<Loaded<FanoutTarget>> {
  let emulator: Record<string, unknown>;
  try {
    emulator = await importOptional('@webcomm/emulator');
  } catch (error) {
    return { ok: false, missing: `needs @webcomm/emulator (branch emu): ${(error as Error).message.split('\n')[0]}` };
  }
  // The emulator's default broadcast channel (channels.json defaults: project webcomm, deployment local).
  const topic = process.env.BENCH_BROADCAST_TOPIC ?? 'webcomm/local/announcements';
  if (typeof emulator.startEmulator !== 'function')
    return { ok: false, missing: '@webcomm/emulator has no startEmulator export' };
  if (topic === undefined)
    return { ok: false, missing: 'set BENCH_BROADCAST_TOPIC to the emulator broadcast channel topic' };
  const running = (await (emulator.startEmulator as (o: object) => Promise<unknown>)({
    dataDir,
    allowAnonymous: true,
  })) as {
    endpoints: { ws: string };
    broker: { publish(topic: string, payload: Uint8Array): Promise<void> };
    stop(): Promise<void>;
  };
  return {
    ok: true,
    value: {
      wsUrl: running.endpoints.ws,
      topic,
      publish: (t, p) => running.broker.publish(t, p),
      stop: () => running.stop(),
    },
  };
}
