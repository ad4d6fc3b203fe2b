import { EventEmitter } from 'eventemitter3';
import type { WebcommClient } from '../client.js';
import { ERROR_CODES, WebcommError } from '../errors.js';
import { assertKnownOptions, optionKeys } from '../util/option-keys.js';
import { describeThrown } from '../util/describe-thrown.js';

/** One content update as published on a content channel. */
export interface ContentUpdate<T = unknown> {
  /** Monotonic version; newer content has a higher number. */
  readonly version: number;
  /** Optional content hash or HTTP ETag. */
  readonly etag?: string;
  /** Where to fetch the content. */
  readonly url?: string;
  /** Small inline content, if any. */
  readonly data?: T;
}

/** Payload of `contentChanged`. */
export interface ContentChange<T = unknown> {
  readonly channel: string;
  /** The version the client had (undefined: none yet). */
  readonly from: number | undefined;
  readonly to: number;
  /** How many versions were skipped between `from` and `to` (e.g. published while offline). */
  readonly missed: number;
  readonly update: ContentUpdate<T>;
}

/** Where the last seen version per channel is kept between runs (memory by default). */
export interface ContentVersionStore {
  load(channel: string): number | undefined | Promise<number | undefined>;
  save(channel: string, version: number): void | Promise<void>;
}

/** Options of {@link watchContent}. */
export interface WatchContentOptions<T = unknown> {
  /** The content channel (name or topic). Subscribe to the exact topic: wildcards get no retained message. */
  readonly channel: string;
  /** @default in memory, per watcher */
  readonly store?: ContentVersionStore;
  /**
   * Asks the service for the latest update after every (re)subscribe, for services that do not
   * keep it as a retained message. @default none (the retained "latest" message is used)
   */
  readonly fetchLatest?: (channel: string) => Promise<ContentUpdate<T> | undefined>;
}

/** Events of {@link ContentWatcher}. */
export interface ContentWatcherEvents<T> {
  contentChanged: [change: ContentChange<T>];
  /** A malformed update (not `{version: number, …}`) or a failing store/fetch; the watcher carries on. */
  error: [error: WebcommError];
}

/**
 * Follows a content channel so a game never misses the newest content: remembers the last
 * version, catches up after every (re)connect (the retained "latest" message, or `fetchLatest`),
 * drops stale, duplicate and out-of-order updates, and emits one `contentChanged` per real change.
 * A client offline across three updates wakes up to exactly one event naming the newest.
 */
export class ContentWatcher<T = unknown> extends EventEmitter<ContentWatcherEvents<T>> {
  readonly #client: WebcommClient;
  readonly #options: WatchContentOptions<T>;
  readonly #store: ContentVersionStore;
  #current: number | undefined;
  #unsubscribe: (() => Promise<void>) | undefined;
  #chain: Promise<void> = Promise.resolve();

  /** Use {@link watchContent}. */
  constructor(client: WebcommClient, options: WatchContentOptions<T>) {
    super();
    assertKnownOptions(
      options,
      optionKeys<WatchContentOptions>({ channel: true, store: true, fetchLatest: true }),
      'watchContent()',
    );
    this.#client = client;
    this.#options = options;
    const memory = new Map<string, number>();
    this.#store = options.store ?? { load: (c) => memory.get(c), save: (c, v) => void memory.set(c, v) };
  }

  /** The newest version seen so far. */
  get version(): number | undefined {
    return this.#current;
  }

  /** Loads the remembered version, subscribes, and catches up on every connect. */
  async start(): Promise<void> {
    this.#current = await this.#store.load(this.#options.channel);
    this.#client.on('connected', this.#onConnected);
    this.#unsubscribe = await this.#client.subscribe<unknown>(
      this.#options.channel,
      (message) => this.#offer(message),
      { decode: 'json' },
    );
    if (this.#client.state === 'connected') this.#onConnected();
  }

  /** Stops following the channel. */
  async stop(): Promise<void> {
    this.#client.off('connected', this.#onConnected);
    await this.#unsubscribe?.();
    this.#unsubscribe = undefined;
  }

  readonly #onConnected = (): void => {
    const fetchLatest = this.#options.fetchLatest;
    if (fetchLatest === undefined) return; // the retained message arrives with the re-subscription
    fetchLatest(this.#options.channel).then(
      (latest) => latest !== undefined && this.#offer(latest),
      (error: unknown) =>
        this.emit(
          'error',
          new WebcommError(
            ERROR_CODES.NETWORK,
            `Fetching the latest "${this.#options.channel}" failed: ${describeThrown(error)}`,
            { cause: error, topic: this.#options.channel },
          ),
        ),
    );
  };

  /** Serialised so a slow store never lets an older update overtake a newer one. */
  #offer(message: unknown): void {
    this.#chain = this.#chain
      .then(() => this.#apply(message))
      .catch((error: unknown) => {
        this.emit(
          'error',
          error instanceof WebcommError
            ? error
            : new WebcommError(ERROR_CODES.HANDLER_FAILED, `Content store failed: ${describeThrown(error)}`, {
                cause: error,
              }),
        );
      });
  }

  async #apply(message: unknown): Promise<void> {
    const update = parseUpdate<T>(message, this.#options.channel);
    const from = this.#current;
    if (from !== undefined && update.version <= from) return; // stale, duplicate or out of order
    this.#current = update.version;
    await this.#store.save(this.#options.channel, update.version);
    const missed =
      from === undefined || !Number.isInteger(from) || !Number.isInteger(update.version)
        ? 0
        : Math.max(0, update.version - from - 1);
    this.emit('contentChanged', { channel: this.#options.channel, from, to: update.version, missed, update });
  }
}

/** Validates a content update; throws `INVALID_PAYLOAD` naming what is wrong. */
export function parseUpdate<T>(message: unknown, channel: string): ContentUpdate<T> {
  const candidate = message as Partial<ContentUpdate<T>> | null;
  if (
    typeof candidate !== 'object' ||
    candidate === null ||
    typeof candidate.version !== 'number' ||
    !Number.isFinite(candidate.version) ||
    candidate.version < 0
  ) {
    throw new WebcommError(
      ERROR_CODES.INVALID_PAYLOAD,
      `A content update on "${channel}" must be {"version": <non-negative number>, ...}; ignored.`,
      { topic: channel },
    );
  }
  for (const field of ['etag', 'url'] as const) {
    if (candidate[field] !== undefined && typeof candidate[field] !== 'string') {
      throw new WebcommError(
        ERROR_CODES.INVALID_PAYLOAD,
        `A content update on "${channel}" has a non-string "${field}"; ignored.`,
        { topic: channel },
      );
    }
  }
  return candidate as ContentUpdate<T>;
}

/** Starts a {@link ContentWatcher} on `client`. */
export async function watchContent<T = unknown>(
  client: WebcommClient,
  options: WatchContentOptions<T>,
): Promise<ContentWatcher<T>> {
  const watcher = new ContentWatcher<T>(client, options);
  await watcher.start();
  return watcher;
}
