/**
 * Runs tasks one at a time per key. Registration reads the user table, decides, then writes: two
 * registrations of one new client id interleaved there, and 20 concurrent ones gave 4 working
 * identities. Under the lock the first creates the identity and the others see it.
 */
export class KeyedLock {
  readonly #tails = new Map<string, Promise<unknown>>();

  /** Runs `task` after every earlier task of `key` has settled; resolves or rejects with it. */
  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.#tails.set(key, tail);
    // Forget the key once its last task settled, so memory stays bounded by the keys in flight.
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return result;
  }

  /** Keys with a task running or waiting (for tests of the memory bound). */
  get size(): number {
    return this.#tails.size;
  }
}
