/**
 * The herd at internet scale, as a pure model (no sockets, no timers): N clients lose their links
 * at once (a broker-wide drop) and each reconnects on core's real {@link ReconnectSchedule}, the
 * object the client runs, not a copy. The broker admits at most `quotaPerSecond` CONNECTs in each
 * second (IoT Core: 500 per account by default); an attempt over the quota is refused with
 * `THROTTLED` and the client backs off through `ReconnectSchedule.throttled()`.
 *
 * What the model leaves out, on purpose: network time (an attempt lands when it is due), and the
 * 1 CONNECT/s per client ID limit (a client never retries within a second here). So the figures
 * are what a fleet of separate machines would send, the load the quota sees.
 */
import { DEFAULT_BACKOFF, type BackoffOptions } from '@webcomm/core';
import { ReconnectSchedule } from '@webcomm/core/internal';

/** Inputs of one model run. */
export interface HerdModelOptions {
  readonly clients: number;
  /** Merged over {@link DEFAULT_BACKOFF}. */
  readonly backoff?: Partial<BackoffOptions>;
  /** CONNECTs the broker accepts per second (Infinity: no quota). @default 500 */
  readonly quotaPerSecond?: number;
  /** Seed of the model's random source, so a run is repeatable. @default 1 */
  readonly seed?: number;
  /** How long the links had been up before the drop (ms); ≥ 2 s restarts from the first step. @default 60000 */
  readonly upBeforeDropMs?: number;
}

/** What one model run measured. */
export interface HerdModelResult {
  readonly clients: number;
  /** Most CONNECT attempts in any one second (whole seconds from the drop). */
  readonly peakAttemptsPerSecond: number;
  /** Most accepted CONNECTs in any one second (≤ the quota). */
  readonly peakAcceptedPerSecond: number;
  /** Seconds from the drop until 99 % of the clients are connected again. */
  readonly secondsTo99: number;
  /** Seconds until every client is connected again. */
  readonly secondsToAll: number;
  readonly attempts: number;
  readonly throttled: number;
}

/** Mulberry32: a small seeded generator in [0, 1). */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** Client indices fit in 2^20 (10^6 < 2^20); an attempt is packed as `timeMs × 2^20 + client`. */
const CLIENT_BITS = 2 ** 20;

/**
 * Runs the model. Attempts are kept in one list per second of model time; each second's list is
 * sorted by time, the first `quotaPerSecond` are accepted and the rest throttled into later
 * seconds (the throttled delay is at least half of `maxDelayMs`).
 */
export function herdModel(options: HerdModelOptions): HerdModelResult {
  const n = options.clients;
  if (!Number.isInteger(n) || n < 1 || n >= CLIENT_BITS)
    throw new RangeError(`clients must be an integer in [1, ${CLIENT_BITS - 1}]`);
  const backoff: BackoffOptions = { ...DEFAULT_BACKOFF, ...options.backoff };
  const quota = options.quotaPerSecond ?? 500;
  const random = seeded(options.seed ?? 1);
  const upMs = options.upBeforeDropMs ?? 60_000;
  const seconds = new Map<number, number[]>();
  const add = (timeMs: number, client: number): void => {
    const second = Math.floor(timeMs / 1000);
    let list = seconds.get(second);
    if (list === undefined) seconds.set(second, (list = []));
    list.push(timeMs * CLIENT_BITS + client);
  };
  const schedules: ReconnectSchedule[] = [];
  for (let c = 0; c < n; c++) {
    const schedule = new ReconnectSchedule(backoff, random);
    schedules.push(schedule);
    // The client's own rule on a lost link (the default quick-drop window is 2 s).
    add(schedule.linkLost(upMs, 2_000).delayMs, c);
  }
  let back = 0;
  let attempts = 0;
  let throttled = 0;
  let peakAttempts = 0;
  let peakAccepted = 0;
  let at99 = Number.NaN;
  let atAll = Number.NaN;
  const need99 = Math.ceil(0.99 * n);
  for (let second = 0; back < n; second++) {
    const list = seconds.get(second);
    if (list === undefined) continue;
    seconds.delete(second);
    const sorted = Float64Array.from(list).sort();
    let accepted = 0;
    for (const packed of sorted) {
      const timeMs = Math.floor(packed / CLIENT_BITS);
      const client = packed - timeMs * CLIENT_BITS;
      attempts += 1;
      if (accepted < quota) {
        accepted += 1;
        back += 1;
        if (back === need99) at99 = timeMs / 1000;
        if (back === n) atAll = timeMs / 1000;
        continue;
      }
      throttled += 1;
      // A throttled delay lands in a later second: it is at least maxDelayMs / 2.
      add(timeMs + Math.max(1000, (schedules[client] as ReconnectSchedule).throttled().delayMs), client);
    }
    peakAttempts = Math.max(peakAttempts, sorted.length);
    peakAccepted = Math.max(peakAccepted, accepted);
  }
  return {
    clients: n,
    peakAttemptsPerSecond: peakAttempts,
    peakAcceptedPerSecond: peakAccepted,
    secondsTo99: at99,
    secondsToAll: atAll,
    attempts,
    throttled,
  };
}

/**
 * The smallest first backoff step (in steps of 5 % of `clients / quotaPerSecond` seconds, with
 * `maxDelayMs` raised to match) that keeps a herd of `clients` under `quotaPerSecond` attempts in
 * every second: the setting docs/reconnect.md recommends.
 */
export function firstStepUnderQuota(
  clients: number,
  quotaPerSecond = 500,
  seed = 1,
): { initialDelayMs: number; result: HerdModelResult } {
  // Full jitter spreads the herd evenly over the first step: it must be at least clients / quota.
  const least = Math.ceil(clients / quotaPerSecond);
  const step = Math.max(1, Math.ceil(least / 20));
  for (let seconds = least; ; seconds += step) {
    const initialDelayMs = seconds * 1000;
    const result = herdModel({
      clients,
      quotaPerSecond,
      seed,
      backoff: { initialDelayMs, maxDelayMs: initialDelayMs },
    });
    if (result.peakAttemptsPerSecond <= quotaPerSecond) return { initialDelayMs, result };
  }
}
