/**
 * Where the Cognito identity id is kept between sessions, so a guest keeps one identity
 * (one private channel, one user record). `localStorage` satisfies this interface.
 */
export interface IdentityStorage {
  getItem(key: string): string | null | Promise<string | null>;
  setItem(key: string, value: string): void | Promise<void>;
  removeItem(key: string): void | Promise<void>;
}

/** A storage that lives as long as the page (or process): identities are not kept across sessions. */
export function memoryStorage(): IdentityStorage {
  const items = new Map<string, string>();
  return {
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => void items.set(key, value),
    removeItem: (key) => void items.delete(key),
  };
}

/**
 * `globalThis.localStorage` when the runtime has a usable one, else {@link memoryStorage}.
 * Accessing `localStorage` can throw (sandboxed iframes, disabled cookies), hence the probe.
 */
export function defaultIdentityStorage(): IdentityStorage {
  try {
    const storage = (globalThis as { localStorage?: IdentityStorage }).localStorage;
    if (storage !== undefined) {
      const probe = '__webcomm_probe__';
      void storage.setItem(probe, probe);
      void storage.removeItem(probe);
      return storage;
    }
  } catch {
    // Storage denied: fall through to memory.
  }
  return memoryStorage();
}
