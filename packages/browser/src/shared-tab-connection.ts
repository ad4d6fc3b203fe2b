/**
 * One push connection for all tabs of an origin. The tab holding a Web Lock is the leader: it
 * runs the real client and relays every message and state change over a BroadcastChannel; the
 * other tabs subscribe through it. When the leader tab closes, its lock is released and a waiting
 * tab takes over, re-subscribing everything. Saves a connection (and IoT Core's client-ID
 * takeover flapping) per extra tab.
 */
import { EventEmitter } from 'eventemitter3';
import { ERROR_CODES, WebcommError, type ConnectionState, type DecodeOption, type WebcommClient } from '@webcomm/core';
import { assertKnownOptions, describeThrown, optionKeys, toDecoder, TopicTrie } from '@webcomm/core/internal';

/** The Web Locks API slice used (navigator.locks). */
export interface LockManagerLike {
  request(
    name: string,
    options: { mode: 'exclusive'; signal?: AbortSignal },
    callback: () => Promise<void>,
  ): Promise<unknown>;
}

/** The BroadcastChannel slice used. */
export interface BroadcastChannelLike {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  close(): void;
}

/** Options of {@link shareConnectionAcrossTabs}. */
export interface SharedTabOptions {
  /** Lock and channel name; tabs with the same name share one connection. @default "webcomm" */
  readonly name?: string;
  /** @default navigator.locks */
  readonly locks?: LockManagerLike;
  /** @default globalThis.BroadcastChannel */
  readonly BroadcastChannel?: new (name: string) => BroadcastChannelLike;
}

/** Events of a {@link SharedTabConnection}. */
export interface SharedTabEvents {
  /** This tab became the leader (runs the real connection). */
  leader: [];
  /** The shared connection's state, as the leader sees it. */
  state: [state: ConnectionState];
  error: [error: WebcommError];
}

type Wire =
  | { readonly type: 'subscribe'; readonly filter: string }
  | { readonly type: 'message'; readonly topic: string; readonly payload: Uint8Array }
  | { readonly type: 'state'; readonly state: ConnectionState }
  | { readonly type: 'leader' };

interface LocalSubscription {
  readonly filter: string;
  readonly handler: (message: unknown, topic: string) => void;
  readonly decode: (payload: Uint8Array, topic: string) => unknown;
}

/** A connection shared by the tabs of an origin; see {@link shareConnectionAcrossTabs}. */
export class SharedTabConnection extends EventEmitter<SharedTabEvents> {
  readonly #create: () => WebcommClient | Promise<WebcommClient>;
  readonly #channel: BroadcastChannelLike;
  readonly #routes = new TopicTrie<LocalSubscription>();
  readonly #filters = new Set<string>();
  readonly #release = new AbortController();
  #client: WebcommClient | undefined;
  #leaderFilters = new Set<string>();
  #releaseLock: () => void = () => undefined;

  /** Use {@link shareConnectionAcrossTabs}. */
  constructor(create: () => WebcommClient | Promise<WebcommClient>, options: SharedTabOptions = {}) {
    super();
    assertKnownOptions(
      options,
      optionKeys<SharedTabOptions>({ name: true, locks: true, BroadcastChannel: true }),
      'shareConnectionAcrossTabs()',
    );
    this.#create = create;
    const name = options.name ?? 'webcomm';
    const Channel =
      options.BroadcastChannel ??
      (globalThis as { BroadcastChannel?: new (name: string) => BroadcastChannelLike }).BroadcastChannel;
    const locks = options.locks ?? (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator?.locks;
    if (Channel === undefined || locks === undefined) {
      throw new WebcommError(
        ERROR_CODES.INVALID_OPTION,
        'Sharing a connection across tabs needs BroadcastChannel and navigator.locks (Web Locks); use createBrowserClient directly where they are missing.',
      );
    }
    this.#channel = new Channel(`webcomm:${name}`);
    this.#channel.addEventListener('message', (event) => this.#onWire(event.data as Wire));
    // Waits in the lock's queue; the callback runs when this tab becomes the leader and holds the
    // lock until close() (or the tab goes away, which releases it).
    locks
      .request(`webcomm:${name}`, { mode: 'exclusive', signal: this.#release.signal }, () => this.#lead())
      .catch((error: unknown) => {
        if (!this.#release.signal.aborted)
          this.emit(
            'error',
            new WebcommError(ERROR_CODES.PROTOCOL, `Tab leadership failed: ${(error as Error).message}`, {
              cause: error,
            }),
          );
      });
  }

  /** True while this tab runs the real connection. */
  get isLeader(): boolean {
    return this.#client !== undefined;
  }

  /** Subscribes on the shared connection; resolves to an unsubscribe function (local only). */
  async subscribe<T = unknown>(
    filter: string,
    handler: (message: T, topic: string) => void,
    options: { decode?: DecodeOption<T> } = {},
  ): Promise<() => void> {
    const subscription: LocalSubscription = {
      filter,
      handler: handler as (message: unknown, topic: string) => void,
      decode: toDecoder(options.decode),
    };
    this.#routes.add(filter, subscription);
    if (!this.#filters.has(filter)) {
      this.#filters.add(filter);
      await this.#requestFilter(filter);
    }
    return () => void this.#routes.remove(filter, subscription);
  }

  /** Leaves the shared connection; a leader closes its client so another tab can take over. */
  async close(): Promise<void> {
    this.#release.abort();
    this.#releaseLock();
    const client = this.#client;
    this.#client = undefined;
    await client?.close();
    this.#channel.close();
  }

  async #requestFilter(filter: string): Promise<void> {
    if (this.#client !== undefined) return this.#subscribeAsLeader(filter);
    this.#channel.postMessage({ type: 'subscribe', filter } satisfies Wire);
  }

  async #subscribeAsLeader(filter: string): Promise<void> {
    const client = this.#client;
    if (client === undefined || this.#leaderFilters.has(filter)) return;
    this.#leaderFilters.add(filter);
    await client.subscribe(filter, () => undefined, { decode: 'raw' });
  }

  async #lead(): Promise<void> {
    if (this.#release.signal.aborted) return;
    const client = await this.#create();
    this.#client = client;
    this.#leaderFilters = new Set();
    client.on('message', ({ topic, payload }) => {
      this.#deliver(topic, payload);
      this.#channel.postMessage({ type: 'message', topic, payload } satisfies Wire);
    });
    client.on('state', ({ to }) => {
      this.emit('state', to);
      this.#channel.postMessage({ type: 'state', state: to } satisfies Wire);
    });
    client.on('error', (error) => this.emit('error', error));
    for (const filter of this.#filters) await this.#subscribeAsLeader(filter);
    this.emit('leader');
    // Followers re-send their filters to the new leader.
    this.#channel.postMessage({ type: 'leader' } satisfies Wire);
    await client.connect().catch((error: unknown) => this.emit('error', error as WebcommError));
    await new Promise<void>((resolve) => (this.#releaseLock = resolve));
  }

  #onWire(message: Wire): void {
    if (message.type === 'message') this.#deliver(message.topic, message.payload);
    else if (message.type === 'state') this.emit('state', message.state);
    else if (message.type === 'subscribe')
      void this.#subscribeAsLeader(message.filter).catch((error: unknown) => this.emit('error', error as WebcommError));
    else if (message.type === 'leader')
      for (const filter of this.#filters) this.#channel.postMessage({ type: 'subscribe', filter } satisfies Wire);
  }

  #deliver(topic: string, payload: Uint8Array): void {
    for (const subscription of this.#routes.match(topic)) {
      try {
        subscription.handler(subscription.decode(payload, topic), topic);
      } catch (error) {
        this.emit(
          'error',
          new WebcommError(
            ERROR_CODES.HANDLER_FAILED,
            `A handler for "${subscription.filter}" failed on "${topic}": ${describeThrown(error)}`,
            { cause: error, topic },
          ),
        );
      }
    }
  }
}

/**
 * Shares one push connection among the tabs of an origin (Web Locks + BroadcastChannel). The
 * leader tab calls `create()` to make the real client; the others receive through it and take
 * over when the leader closes.
 *
 * @example
 * ```ts
 * const shared = shareConnectionAcrossTabs(async () => (await connectToService({ serviceUrl })).client);
 * await shared.subscribe('webcomm/prod/content-updates', (update) => show(update));
 * ```
 */
export function shareConnectionAcrossTabs(
  create: () => WebcommClient | Promise<WebcommClient>,
  options: SharedTabOptions = {},
): SharedTabConnection {
  return new SharedTabConnection(create, options);
}
