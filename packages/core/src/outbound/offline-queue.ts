/** What the offline queue does when a new message does not fit. */
export type OverflowPolicy = 'drop-oldest' | 'drop-newest' | 'reject';

/** Bounds of the offline queue. */
export interface OfflineQueueOptions {
  /**
   * Maximum queued messages; 0 disables queueing (publishing while offline rejects).
   * @default 100
   */
  readonly maxCount: number;
  /**
   * Maximum total bytes (topic + payload) of queued messages.
   * @default 1048576
   */
  readonly maxBytes: number;
  /**
   * How long a message may wait in the queue, in milliseconds.
   * @default 60000
   */
  readonly ttlMs: number;
  /**
   * `drop-oldest` evicts the oldest messages to make room; `drop-newest` and `reject` refuse
   * the new one (`drop-newest` counts it as dropped, `reject` as refused; both reject its promise).
   * @default 'drop-oldest'
   */
  readonly overflow: OverflowPolicy;
}

/** One queued item and what it costs. */
export interface QueuedItem<T> {
  readonly value: T;
  readonly bytes: number;
  /** Clock time after which the item is expired. */
  readonly expiresAt: number;
}

/** Result of {@link OfflineQueue.push}. */
export interface PushResult<T> {
  /** False when the new item was not queued (too big, full with drop-newest/reject). */
  readonly accepted: boolean;
  /** Older items evicted to make room (drop-oldest). */
  readonly evicted: readonly T[];
}

/**
 * A FIFO bounded by count and bytes, with a time to live per item. Holds no timers: the
 * caller passes the current time and asks for expired items. Pure data structure.
 */
export class OfflineQueue<T> {
  readonly #options: OfflineQueueOptions;
  #items: QueuedItem<T>[] = [];
  #bytes = 0;

  constructor(options: OfflineQueueOptions) {
    this.#options = options;
  }

  /** Number of queued items. */
  get length(): number {
    return this.#items.length;
  }

  /** Total bytes queued. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Queues `value` at `now`; see {@link OverflowPolicy}. */
  push(value: T, bytes: number, now: number, ttlMs = this.#options.ttlMs): PushResult<T> {
    const { maxCount, maxBytes, overflow } = this.#options;
    if (maxCount <= 0 || bytes > maxBytes) return { accepted: false, evicted: [] };
    const fits = (): boolean => this.#items.length < maxCount && this.#bytes + bytes <= maxBytes;
    const evicted: T[] = [];
    if (!fits()) {
      if (overflow !== 'drop-oldest') return { accepted: false, evicted };
      while (!fits()) {
        const oldest = this.#items.shift();
        if (oldest === undefined) break;
        this.#bytes -= oldest.bytes;
        evicted.push(oldest.value);
      }
    }
    this.#items.push({ value, bytes, expiresAt: now + ttlMs });
    this.#bytes += bytes;
    return { accepted: true, evicted };
  }

  /**
   * Puts items back at the head (e.g. in-flight messages of a link that dropped), keeping
   * their order and original expiry, ignoring the bounds: they were already admitted.
   */
  unshift(items: readonly QueuedItem<T>[]): void {
    this.#items.unshift(...items);
    for (const item of items) this.#bytes += item.bytes;
  }

  /** Removes one item (e.g. its publish was aborted). Returns true when it was queued. */
  remove(value: T): boolean {
    const index = this.#items.findIndex((item) => item.value === value);
    if (index < 0) return false;
    const [item] = this.#items.splice(index, 1);
    this.#bytes -= item?.bytes ?? 0;
    return true;
  }

  /** Removes and returns the items expired at `now`. */
  takeExpired(now: number): T[] {
    const expired: T[] = [];
    this.#items = this.#items.filter((item) => {
      if (item.expiresAt > now) return true;
      expired.push(item.value);
      this.#bytes -= item.bytes;
      return false;
    });
    return expired;
  }

  /** The earliest expiry time, or undefined when empty. */
  nextExpiry(): number | undefined {
    let next: number | undefined;
    for (const item of this.#items) if (next === undefined || item.expiresAt < next) next = item.expiresAt;
    return next;
  }

  /** Removes and returns every item, oldest first. */
  drain(): QueuedItem<T>[] {
    const items = this.#items;
    this.#items = [];
    this.#bytes = 0;
    return items;
  }
}
