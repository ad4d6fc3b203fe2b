import { backoffDelay, type BackoffOptions } from './backoff.js';

/** The next reconnect attempt and when to make it. */
export interface ScheduledAttempt {
  /** 1-based attempt number since the last stable link. */
  readonly attempt: number;
  readonly delayMs: number;
}

/**
 * Counts consecutive failures and turns them into backoff delays. The count restarts only
 * through {@link ReconnectSchedule.markStable} (the client calls it once a link has stayed up
 * for `stableAfterMs`), so a link that flaps right after CONNACK keeps backing off.
 */
export class ReconnectSchedule {
  readonly #backoff: BackoffOptions;
  readonly #random: () => number;
  #failures = 0;
  #lastDelay = 0;

  constructor(backoff: BackoffOptions, random: () => number) {
    this.#backoff = backoff;
    this.#random = random;
  }

  /** Number of the attempt that would run now (1 after a stable link or at start). */
  get nextAttempt(): number {
    return this.#failures + 1;
  }

  /** Records a failure (attempt failed or link lost) and returns the next attempt's delay. */
  fail(): ScheduledAttempt {
    this.#failures += 1;
    this.#lastDelay = backoffDelay(this.#failures, this.#lastDelay, this.#backoff, this.#random());
    return { attempt: this.#failures + 1, delayMs: this.#lastDelay };
  }

  /** The link proved stable (or the user started over): restart from the first step. */
  markStable(): void {
    this.#failures = 0;
    this.#lastDelay = 0;
  }
}
