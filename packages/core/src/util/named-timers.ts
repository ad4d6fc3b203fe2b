import type { Clock, TimerHandle } from './clock.js';

/**
 * One-shot timers kept by name on the injected clock, so a part with several (the supervisor's
 * attempt, retry and stable timers) holds one field instead of one per timer. A timer that
 * fires forgets itself; `clear` cancels and forgets; `forget` drops the handle only.
 */
export class NamedTimers<Name extends string> {
  readonly #clock: Clock;
  /**
   * Pending handles by name; a name without a timer holds `undefined` (never deleted, so the
   * object keeps one shape). A plain object: an empty Map costs about 180 bytes per client.
   */
  readonly #handles: Partial<Record<Name, TimerHandle>> = {};

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Runs `callback` after `ms` (clock time), unless cleared first. */
  set(name: Name, ms: number, callback: () => void): void {
    const handle = this.#clock.setTimeout(() => {
      if (this.#handles[name] === handle) this.#handles[name] = undefined;
      callback();
    }, ms);
    this.#handles[name] = handle;
  }

  /** Whether a timer of that name is pending. */
  has(name: Name): boolean {
    return this.#handles[name] !== undefined;
  }

  /** Cancels the timer of that name, if any. */
  clear(name: Name): void {
    const handle = this.#handles[name];
    if (handle !== undefined) this.#clock.clearTimeout(handle);
    this.#handles[name] = undefined;
  }

  /** Drops the handle without cancelling (its timer is firing now). */
  forget(name: Name): void {
    this.#handles[name] = undefined;
  }
}
