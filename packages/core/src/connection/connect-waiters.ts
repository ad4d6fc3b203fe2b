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
  /** Made with the first wait: most clients are connected once and never wait again. */
  #waiting: Set<Waiter> | undefined;

  constructor(clock: Clock, closing: CloseSignal<WebcommError>) {
    this.#clock = clock;
    this.#closing = closing;
  }

  /** How many callers still wait. */
  get size(): number {
    return this.#waiting?.size ?? 0;
  }

  /**
   * Waits for {@link ConnectWaiters.resolveAll} or {@link ConnectWaiters.rejectAll}; rejects
   * with `TIMEOUT` after `timeoutMs`, with `ABORTED` when `signal` aborts.
   */
  wait(timeoutMs: number, signal: AbortSignal | undefined): Promise<void> {
    const waitFor = (aborted: AbortSignal): Promise<void> =>
      new Promise<void>((resolve, reject) => {
        const waiter = { resolve, reject };
        const waiting = (this.#waiting ??= new Set());
        waiting.add(waiter);
        aborted.addEventListener('abort', () => waiting.delete(waiter), { once: true });
      });
    return withDeadline('Connecting', waitFor, {
      clock: this.#clock,
      timeoutMs,
      signals: [signal],
      closing: this.#closing,
    });
  }

  /** A link came up: every waiting caller is connected. */
  resolveAll(): void {
    const waiting = this.#waiting;
    this.#waiting = undefined;
    for (const waiter of waiting ?? []) waiter.resolve();
  }

  /** The client stopped: every waiting caller gets `reason`. */
  rejectAll(reason: WebcommError): void {
    const waiting = this.#waiting;
    this.#waiting = undefined;
    for (const waiter of waiting ?? []) waiter.reject(reason);
  }
}
