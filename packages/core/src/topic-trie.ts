/** How `#` treats its parent level. */
export interface TopicTrieOptions {
  /**
   * MQTT 3.1.1 §4.7.1.2: `a/#` also matches `a`. AWS IoT Core does **not** do this
   * (`sensor/#` does not match `sensor`); set `false` to match IoT Core exactly.
   * @default true
   */
  readonly hashMatchesParent?: boolean;
}

interface TrieNode<T> {
  readonly children: Map<string, TrieNode<T>>;
  readonly values: Set<T>;
}

const node = <T>(): TrieNode<T> => ({ children: new Map(), values: new Set() });

/**
 * Maps MQTT topic filters to values; {@link TopicTrie.match} finds every value whose filter
 * matches a topic by walking the topic's levels, so its cost depends on the topic's depth and
 * the matching filters, not on how many filters are stored.
 *
 * Follows MQTT: `+` matches exactly one level, `#` the rest (see
 * {@link TopicTrieOptions.hashMatchesParent}), and wildcards in the first level do not match
 * topics that start with `$` (e.g. `$aws/...`).
 */
export class TopicTrie<T> {
  readonly #root: TrieNode<T> = node();
  readonly #hashMatchesParent: boolean;
  #size = 0;

  constructor(options: TopicTrieOptions = {}) {
    this.#hashMatchesParent = options.hashMatchesParent ?? true;
  }

  /** Number of (filter, value) pairs stored. */
  get size(): number {
    return this.#size;
  }

  /** Stores `value` under `filter`; storing the same pair twice is a no-op. */
  add(filter: string, value: T): void {
    let current = this.#root;
    for (const level of filter.split('/')) {
      let child = current.children.get(level);
      if (child === undefined) {
        child = node();
        current.children.set(level, child);
      }
      current = child;
    }
    if (!current.values.has(value)) {
      current.values.add(value);
      this.#size++;
    }
  }

  /** Removes `value` from `filter`, pruning empty branches. Returns true when it was there. */
  remove(filter: string, value: T): boolean {
    const path: TrieNode<T>[] = [this.#root];
    const levels = filter.split('/');
    for (const level of levels) {
      const child = path[path.length - 1]?.children.get(level);
      if (child === undefined) return false;
      path.push(child);
    }
    const leaf = path[path.length - 1];
    if (leaf === undefined || !leaf.values.delete(value)) return false;
    this.#size--;
    for (let i = levels.length; i > 0; i--) {
      const current = path[i];
      const parent = path[i - 1];
      const level = levels[i - 1];
      if (current === undefined || parent === undefined || level === undefined) break;
      if (current.values.size > 0 || current.children.size > 0) break;
      parent.children.delete(level);
    }
    return true;
  }

  /** Every value whose filter matches `topic` (a concrete topic, no wildcards), each once. */
  match(topic: string): T[] {
    const found = new Set<T>();
    const levels = topic.split('/');
    const dollar = topic.startsWith('$');
    const walk = (current: TrieNode<T>, depth: number): void => {
      const wildcardsAllowed = depth > 0 || !dollar;
      if (wildcardsAllowed) {
        const hash = current.children.get('#');
        if (hash !== undefined && (depth < levels.length || (this.#hashMatchesParent && depth > 0))) {
          for (const v of hash.values) found.add(v);
        }
      }
      if (depth === levels.length) {
        for (const v of current.values) found.add(v);
        return;
      }
      const level = levels[depth] as string;
      const exact = current.children.get(level);
      if (exact !== undefined) walk(exact, depth + 1);
      if (wildcardsAllowed) {
        const plus = current.children.get('+');
        if (plus !== undefined) walk(plus, depth + 1);
      }
    };
    walk(this.#root, 0);
    return [...found];
  }
}
