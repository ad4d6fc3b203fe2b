/**
 * Tells every pending operation that the client closed. A plain listener set rather than an
 * AbortSignal: thousands of concurrent operations would trip the runtime's
 * "possible EventTarget leak" warning on one shared signal.
 */
export class CloseSignal<E> {
  /** Made on first use (an idle client has no operation waiting). */
  #listeners: Set<(reason: E) => void> | undefined;
  #reason: { value: E } | undefined;

  /** The close reason, once closed. */
  get reason(): { readonly value: E } | undefined {
    return this.#reason;
  }

  /** Calls `listener` once on close; returns a function that removes it. */
  subscribe(listener: (reason: E) => void): () => void {
    const listeners = (this.#listeners ??= new Set());
    listeners.add(listener);
    return () => {
      const had = listeners.delete(listener);
      // The last operation settled (the usual case): an idle client keeps no empty set.
      if (listeners.size === 0 && this.#listeners === listeners) this.#listeners = undefined;
      return had;
    };
  }

  /** Closes: every listener runs once, later subscribers are not called. */
  close(reason: E): void {
    if (this.#reason !== undefined) return;
    this.#reason = { value: reason };
    const listeners = [...(this.#listeners ?? [])];
    this.#listeners = undefined;
    for (const listener of listeners) listener(reason);
  }
}
