import { ERROR_CODES, type WebcommError } from '../errors.js';
import { backoffDelay, throttledDelay, type BackoffOptions } from './backoff.js';

/** The next reconnect attempt and when to make it. */
export interface ScheduledAttempt {
  /** 1-based attempt number since the last stable link. */
  readonly attempt: number;
  readonly delayMs: number;
}

/**
 * Counts consecutive failures and turns them into backoff delays. The count restarts through
 * {@link ReconnectSchedule.markStable} (the client calls it once a link has stayed up for
 * `stableAfterMs`) and through {@link ReconnectSchedule.linkLost}:
 *
 * **The lost-link rule.** A link that stayed up at least the quick-drop window (the client's
 * `takeoverWindowMs`, 2 s by default) proved that the broker takes this client: when it is lost,
 * reconnecting starts again from the first backoff step, so a client whose link had been up is
 * back within about the first step (full jitter: uniform in [0, initialDelayMs]), however often
 * the broker restarts. A link lost sooner (closed right after CONNACK: a takeover by another
 * process, a refusal by close, a crash-looping broker) counts as one more failure, so those keep
 * backing off. The herd stays spread: each restart sends a fleet back over the first step's
 * whole jittered range, as the very first restart does (≤ 15 % of 1,000 clients in any 100 ms).
 *
 * Measured (`bench/restarts.ts`, mosquitto restarted 10 times in a row, links up 3 s in between):
 * before the rule the count reset only after 10 s up, and the delays grew with every restart.
 */
export class ReconnectSchedule {
  readonly #backoff: BackoffOptions;
  readonly #random: () => number;
  #failures = 0;
  #lastDelay = 0;
  /** Consecutive `THROTTLED` refusals since the last stable link. */
  #throttles = 0;

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

  /**
   * The broker refused this client for quota (`THROTTLED`): a failure that backs off further
   * than {@link ReconnectSchedule.fail}, by {@link throttledDelay} (15–30 s with the defaults,
   * doubling to 150–300 s). Throttles count until the next stable link.
   */
  throttled(): ScheduledAttempt {
    this.#failures += 1;
    this.#throttles += 1;
    this.#lastDelay = throttledDelay(this.#throttles, this.#backoff, this.#random());
    return { attempt: this.#failures + 1, delayMs: this.#lastDelay };
  }

  /**
   * An established link was lost after `upMs`: the lost-link rule (see the class) decides
   * whether the next delay is the first step again (`upMs` ≥ `quickDropMs`) or one step more.
   */
  linkLost(upMs: number, quickDropMs: number): ScheduledAttempt {
    if (upMs >= quickDropMs) this.markStable();
    return this.fail();
  }

  /**
   * The next attempt after `error`: {@link ReconnectSchedule.throttled} for `THROTTLED` (over
   * quota), the lost-link rule when a link that had been up `linkUpMs` was lost, otherwise one
   * more failure.
   */
  after(error: WebcommError, linkUpMs: number | undefined, quickDropMs: number): ScheduledAttempt {
    if (error.code === ERROR_CODES.THROTTLED) return this.throttled();
    return linkUpMs === undefined ? this.fail() : this.linkLost(linkUpMs, quickDropMs);
  }

  /** The link proved stable (or the user started over): restart from the first step. */
  markStable(): void {
    this.#failures = 0;
    this.#lastDelay = 0;
    this.#throttles = 0;
  }
}
