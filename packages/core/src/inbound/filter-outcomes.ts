import type { WebcommError } from '../errors.js';

/**
 * `subscribe()` calls whose SUBSCRIBE was cut by a link drop wait here for the filter's fate on
 * a later link: restored (SUBACK) or refused. Keyed by filter; every waiter settles once.
 */
export class FilterOutcomes {
  /** Made on first use: most clients never have a SUBSCRIBE cut by a drop. */
  #waiters: Map<string, Set<{ resolve: () => void; reject: (error: WebcommError) => void }>> | undefined;

  /** Resolves when `filter` is restored, rejects when it is refused; `signal` stops waiting. */
  wait(filter: string, signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const waiters = (this.#waiters ??= new Map());
      let set = waiters.get(filter);
      if (set === undefined) {
        set = new Set();
        waiters.set(filter, set);
      }
      const waiter = { resolve, reject };
      set.add(waiter);
      signal.addEventListener('abort', () => set.delete(waiter), { once: true });
    });
  }

  /** `filter` got its SUBACK on a link. */
  restored(filter: string): void {
    this.#take(filter)?.forEach((w) => w.resolve());
  }

  /** `filter` was refused. */
  refused(filter: string, error: WebcommError): void {
    this.#take(filter)?.forEach((w) => w.reject(error));
  }

  #take(filter: string): Set<{ resolve: () => void; reject: (error: WebcommError) => void }> | undefined {
    const set = this.#waiters?.get(filter);
    this.#waiters?.delete(filter);
    return set;
  }
}
