import type { WebcommError } from '../errors.js';
import type { Clock } from '../util/clock.js';
import type { CloseSignal } from '../util/close-signal.js';
import { withDeadline } from '../util/deadline.js';

interface Waiter {
  readonly resolve: () => void;
  readonly reject: (error: WebcommError) => void;
}

/**
 * The `connect()` callers waiting for the next connection. Each wait ends when the link comes
 * up, when the client stops or closes, at its deadline or when the caller's `signal` aborts, so
 * every `connect()` promise settles.
 */
export class ConnectWaiters {
  readonly #clock: Clock;
  readonly #closing: CloseSignal<WebcommError>;
  readonly #waiting = new Set<Waiter>();

  constructor(clock: Clock, closing: CloseSignal<WebcommError>) {
    this.#clock = clock;
    this.#closing = closing;
  }

  /** How many callers still wait. */
  get size(): number {
    return this.#waiting.size;
  }

  /**
   * Waits for {@link ConnectWaiters.resolveAll} or {@link ConnectWaiters.rejectAll}; rejects
   * with `TIMEOUT` after `timeoutMs`, with `ABORTED` when `signal` aborts.
   */
  wait(timeoutMs: number, signal: AbortSignal | undefined): Promise<void> {
    const waitFor = (aborted: AbortSignal): Promise<void> =>
      new Promise<void>((resolve, reject) => {
        const waiter = { resolve, reject };
        this.#waiting.add(waiter);
        aborted.addEventListener('abort', () => this.#waiting.delete(waiter), { once: true });
      });
    return withDeadline('Connecting', waitFor, { clock: this.#clock, timeoutMs, signals: [signal], closing: this.#closing });
  }

  /** A link came up: every waiting caller is connected. */
  resolveAll(): void {
    for (const waiter of this.#waiting) waiter.resolve();
    this.#waiting.clear();
  }

  /** The client stopped: every waiting caller gets `reason`. */
  rejectAll(reason: WebcommError): void {
    for (const waiter of this.#waiting) waiter.reject(reason);
    this.#waiting.clear();
  }
}
