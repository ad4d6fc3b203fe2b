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

/** Distinct topics remembered by {@link TopicTrie.match} before it starts over. */
const CACHE_LIMIT = 1024;

/** The shared empty result (never changed). */
const NONE: readonly never[] = [];

const hasWildcard = (filter: string): boolean => filter.includes('+') || filter.includes('#');

/**
 * Maps MQTT topic filters to values; {@link TopicTrie.match} finds every value whose filter
 * matches a topic by walking the topic's levels, so its cost depends on the topic's depth and
 * the matching filters, not on how many filters are stored. Filters without wildcards (most
 * channels) sit in a plain map and cost one lookup; only wildcard filters are walked.
 *
 * Follows MQTT: `+` matches exactly one level, `#` the rest (see
 * {@link TopicTrieOptions.hashMatchesParent}), and wildcards in the first level do not match
 * topics that start with `$` (e.g. `$aws/...`).
 */
export class TopicTrie<T> {
  /** Wildcard filters only; made with the first one (most clients subscribe to channels without wildcards). */
  #root: TrieNode<T> | undefined;
  /** Filters without `+` or `#`, by filter (arrays: copied per match faster than a Set). */
  readonly #exact = new Map<string, T[]>();
  /**
   * Results by topic while no filter changes: a client receives on few distinct topics, and
   * splitting each received topic into levels costs more than the lookup (fresh strings every
   * message). Bounded; emptied by every add/remove. Made with the first match (an idle client
   * never matches; an empty Map costs about 180 bytes).
   */
  #cache: Map<string, readonly T[]> | undefined;
  /**
   * The last topic matched and its result, checked before the cache: a stream of messages mostly
   * repeats one topic, and comparing the fresh topic string costs less than hashing it for a
   * Map lookup. Forgotten with the cache.
   */
  #lastTopic: string | undefined;
  #lastResult: readonly T[] = NONE;
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
    this.#forgetMatches();
    if (!hasWildcard(filter)) {
      const values = this.#exact.get(filter);
      // A new filter's list is a one-element literal: `[]` then push() reserves 17 slots (152 bytes).
      if (values === undefined) this.#exact.set(filter, [value]);
      else if (!values.includes(value)) values.push(value);
      else return;
      this.#size++;
      return;
    }
    let current = (this.#root ??= node());
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
    this.#forgetMatches();
    if (!hasWildcard(filter)) {
      const values = this.#exact.get(filter);
      const index = values?.indexOf(value) ?? -1;
      if (values === undefined || index === -1) return false;
      values.splice(index, 1);
      if (values.length === 0) this.#exact.delete(filter);
      this.#size--;
      return true;
    }
    if (this.#root === undefined) return false;
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
    // A copy: callers may keep or change what they get without touching the cache.
    return this.matchShared(topic).slice();
  }

  /**
   * {@link TopicTrie.match} without the copy, for the dispatch of every received message: the
   * array is the cached result, so it must not be changed. It stays valid while the caller
   * iterates it, also when filters change meanwhile (add/remove drop cached arrays, never
   * change one).
   */
  matchShared(topic: string): readonly T[] {
    if (topic === this.#lastTopic) return this.#lastResult;
    const cache = (this.#cache ??= new Map());
    let result = cache.get(topic);
    if (result === undefined) {
      result = this.#lookup(topic);
      if (cache.size >= CACHE_LIMIT) cache.clear();
      cache.set(topic, result);
    }
    this.#lastTopic = topic;
    this.#lastResult = result;
    return result;
  }

  /** Filters changed: every remembered result may be wrong now. */
  #forgetMatches(): void {
    this.#cache?.clear();
    this.#lastTopic = undefined;
    this.#lastResult = NONE;
  }

  #lookup(topic: string): T[] {
    const exact = this.#exact.get(topic);
    const found: T[] = exact === undefined ? [] : exact.slice();
    // charCode 36 is `$`: wildcards in the first level do not match `$` topics.
    const root = this.#root;
    if (root !== undefined && root.children.size > 0)
      this.#walk(root, topic.split('/'), 0, topic.charCodeAt(0) === 36, found);
    // No Set unless a value could appear twice (one value under several matching filters).
    return found.length > 1 ? [...new Set(found)] : found;
  }

  // A method, not a closure made per call: match() runs for every received message.
  #walk(current: TrieNode<T>, levels: readonly string[], depth: number, dollar: boolean, found: T[]): void {
    const wildcardsAllowed = depth > 0 || !dollar;
    const children = current.children;
    if (wildcardsAllowed && children.size > 0) {
      const hash = children.get('#');
      if (hash !== undefined && (depth < levels.length || (this.#hashMatchesParent && depth > 0))) {
        for (const v of hash.values) found.push(v);
      }
    }
    if (depth === levels.length) {
      for (const v of current.values) found.push(v);
      return;
    }
    if (children.size === 0) return;
    const exact = children.get(levels[depth] as string);
    if (exact !== undefined) this.#walk(exact, levels, depth + 1, dollar, found);
    if (wildcardsAllowed) {
      const plus = children.get('+');
      if (plus !== undefined) this.#walk(plus, levels, depth + 1, dollar, found);
    }
  }
}
