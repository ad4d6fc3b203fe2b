/** How the delay before a reconnect attempt is chosen. */
export type BackoffStrategy = 'full-jitter' | 'decorrelated-jitter';

/** Reconnect backoff settings. */
export interface BackoffOptions {
  /**
   * Base delay of the first retry, in milliseconds.
   * @default 1000
   */
  readonly initialDelayMs: number;
  /**
   * Upper bound of any delay, in milliseconds.
   * @default 30000
   */
  readonly maxDelayMs: number;
  /**
   * Growth factor per attempt (full jitter) or of the previous delay (decorrelated).
   * @default 2
   */
  readonly multiplier: number;
  /**
   * `full-jitter`: uniform in [0, min(max, initial × multiplier^(attempt-1))].
   * `decorrelated-jitter`: uniform in [initial, min(max, previous × 3)], the first in [initial, 3 × initial].
   * @default 'full-jitter'
   */
  readonly strategy: BackoffStrategy;
  /**
   * Ceiling of the delay while the broker says it is over quota (`THROTTLED`: MQTT 5 reason
   * 0x97, or MQTT 3.1.1 CONNACK 3 "server unavailable"), in milliseconds. A throttled client waits
   * in [c / 2, c], c = min(this, maxDelayMs × 2^(throttles − 1)): never less than half of
   * `maxDelayMs`, so a refused herd does not come straight back (see {@link throttledDelay}).
   * @default 300000
   */
  readonly throttledMaxDelayMs: number;
}

/**
 * Default backoff: full jitter from 1 s, capped at 30 s. A 1 s first step spreads a fleet that
 * lost its broker at once so that at most ~13 % of clients retry in any 100 ms (measured with
 * 1,000 clients in `bench/`); 0.5 s gave 27-42 %.
 */
export const DEFAULT_BACKOFF: BackoffOptions = {
  initialDelayMs: 1_000,
  maxDelayMs: 30_000,
  multiplier: 2,
  strategy: 'full-jitter',
  throttledMaxDelayMs: 300_000,
};

/**
 * The delay before reconnect attempt `attempt` (1-based), as a pure function.
 *
 * The random draw always spans a range, also once the cap is reached: a fleet of clients
 * dropped together keeps spreading its retries instead of all retrying every `maxDelayMs`.
 *
 * @param attempt - 1 for the first retry after a failure.
 * @param previousDelayMs - the delay returned for the previous attempt (decorrelated only).
 * @param random - a number in [0, 1), e.g. `Math.random()`.
 */
export function backoffDelay(
  attempt: number,
  previousDelayMs: number,
  options: BackoffOptions,
  random: number,
): number {
  const { initialDelayMs: base, maxDelayMs: cap, multiplier } = options;
  const r = Math.min(Math.max(random, 0), 1);
  if (options.strategy === 'decorrelated-jitter') {
    const low = Math.min(base, cap);
    // The first retry has no previous delay: start from the base, so it spreads over
    // [base, 3 × base] instead of sending every client back at exactly `base` together.
    const high = Math.min(cap, Math.max(low, Math.max(previousDelayMs, low) * 3));
    return Math.floor(low + r * (high - low));
  }
  // multiplier ** huge overflows to Infinity, which Math.min handles.
  const ceiling = Math.min(cap, base * multiplier ** Math.max(0, attempt - 1));
  return Math.floor(r * ceiling);
}

/**
 * The delay after the broker throttled this client for the `throttles`-th time in a row (1-based),
 * as a pure function. "Equal jitter": uniform in [c / 2, c] with
 * c = min(throttledMaxDelayMs, maxDelayMs × 2^(throttles − 1)), so the first throttle waits 15–30 s
 * with the defaults, then 30–60 s, … up to 150–300 s.
 *
 * Why a floor: a throttled client was refused because too many others connect at once (IoT Core
 * allows 500 CONNECT/s per account); full jitter from 0 would send part of the refused herd
 * straight back into the same quota. `bench/herd-model.ts` measures the effect.
 *
 * @param random - a number in [0, 1), e.g. `Math.random()`.
 */
export function throttledDelay(throttles: number, options: BackoffOptions, random: number): number {
  const r = Math.min(Math.max(random, 0), 1);
  const cap = Math.max(options.throttledMaxDelayMs, options.maxDelayMs);
  const ceiling = Math.min(cap, options.maxDelayMs * 2 ** Math.max(0, throttles - 1));
  return Math.floor(ceiling / 2 + (r * ceiling) / 2);
}
