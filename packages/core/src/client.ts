import { EventEmitter } from 'eventemitter3';
import type { PublishOptions, SubscribeOptions, Unsubscribe } from './client-calls.js';
import { OPERATION_OPTION_KEYS, SUBSCRIBE_OPTION_KEYS } from './client-option-keys.js';
import { LinkSupervisor } from './connection/supervisor.js';
import type { ConnectionState } from './connection/state.js';
import { closedError, ERROR_CODES, WebcommError } from './errors.js';
import type { WebcommClientEvents } from './events.js';
import { assertNotMisspeltChannel, suggestChannel } from './inbound/channel-names.js';
import type { DecodeOption } from './inbound/decoders.js';
import { SubscriptionSync } from './inbound/subscription-sync.js';
import { SubscriptionRegistry, type HandlerRecord, type MessageHandler } from './inbound/subscriptions.js';
import { assertFilter } from './inbound/topic-rules.js';
import type { PublishMode, ResolvedOptions, WebcommClientOptions } from './options.js';
import { resolveOptions } from './resolve-options.js';
import { BrokerOutbox } from './outbound/broker-outbox.js';
import { preparePublish } from './outbound/prepare-publish.js';
import { CloseSignal } from './util/close-signal.js';
import { withDeadline, type OperationOptions } from './util/deadline.js';
import { INSPECT_CUSTOM } from './util/hide-secrets.js';
import { assertKnownOptions } from './util/option-keys.js';

/**
 * A push-channel client over MQTT that takes care of its connection: one state machine,
 * reconnect with jittered backoff, resubscription, dead-link detection, an offline queue, and
 * typed events. Transport-agnostic: an adapter passes a {@link Transport}.
 *
 * @example
 * ```ts
 * const client = new WebcommClient({
 *   transport,                        // from @webcomm/node or @webcomm/browser
 *   clientId: registration.clientId,
 *   channels: [...registration.channels, { name: 'tools', topic: 'p/d/tools', publish: 'broker' }],
 * });
 * client.on('state', ({ from, to, reason }) => console.log(`${from} → ${to} (${reason})`));
 * client.on('error', (error) => console.warn(error.code, error.message));
 * await client.connect();
 * const off = await client.subscribe<{ text: string }>('announcements', (msg) => show(msg.text));
 * await client.publish('tools', { reload: true }, { qos: 1 });
 * await off();
 * await client.close();
 * ```
 */
export class WebcommClient extends EventEmitter<WebcommClientEvents> {
  readonly #o: ResolvedOptions;
  readonly #registry: SubscriptionRegistry;
  readonly #outbox: BrokerOutbox;
  /** Publish modes set by `enablePublish` over the channels' own; made on first use. */
  #publishModes: Map<string, PublishMode> | undefined;
  readonly #closing = new CloseSignal<WebcommError>();
  /** Keeps the broker's subscriptions in step with the registry, refusals included. */
  readonly #sync: SubscriptionSync;
  /** Connects, reconnects and stops; owns the connection state. */
  readonly #supervisor: LinkSupervisor;

  /** Validates `options` (throws `INVALID_OPTION` naming the bad one). Does not connect. */
  constructor(options: WebcommClientOptions) {
    super();
    this.#o = resolveOptions(options);
    this.#registry = new SubscriptionRegistry(this.#o.hashMatchesParent);
    this.#outbox = new BrokerOutbox(this.#o.queue, this.#o.clock, this.#o.logger);
    this.#sync = new SubscriptionSync(this.#o, this.#registry, () => this.#supervisor.link);
    this.#supervisor = new LinkSupervisor({
      options: this.#o,
      registry: this.#registry,
      outbox: this.#outbox,
      sync: this.#sync,
      closing: this.#closing,
      events: this,
    });
  }

  /** The current connection state. */
  get state(): ConnectionState {
    return this.#supervisor.state;
  }

  /** Channel names this client knows, with their topics. */
  get channels(): ReadonlyMap<string, { readonly name: string; readonly topic: string }> {
    return this.#o.channels;
  }

  /** Broker publishes waiting in the offline queue. */
  get queuedPublishes(): number {
    return this.#outbox.queued;
  }

  /** What `JSON.stringify` shows: identity and state; credentials and keys stay in private fields. */
  toJSON(): Record<string, unknown> {
    return {
      clientId: this.#o.clientId,
      state: this.#supervisor.state,
      transport: this.#o.transport.name,
      channels: [...this.#o.channels.keys()],
    };
  }

  /** What `console.log`/`util.inspect` show (Node): the class name and {@link WebcommClient.toJSON}. */
  [INSPECT_CUSTOM](_depth: number, options: object, inspect: (value: unknown, options: object) => string): string {
    return `${this.constructor.name} ${inspect(this.toJSON(), options)}`;
  }

  /**
   * Starts connecting (if not already) and resolves once connected. Rejects with the fatal
   * error when the server refuses for good (state `failed`), or with `TIMEOUT`/`ABORTED`. A
   * timeout before the first connection stops connecting (state back to `idle`) unless another
   * `connect()` call still waits; while reconnecting it only ends that wait.
   */
  connect(options: OperationOptions = {}): Promise<void> {
    if (this.#supervisor.state === 'closed') return Promise.reject(closedError());
    try {
      assertKnownOptions(options, OPERATION_OPTION_KEYS, 'connect()');
    } catch (error) {
      return Promise.reject(error as WebcommError);
    }
    return this.#supervisor.connect(options);
  }

  /**
   * Registers `handler` for a channel name or an MQTT filter (`+`, `#`). Several handlers may
   * share a filter. While connected it resolves after SUBACK; while offline it resolves at once
   * and the subscription is sent on connect. Every reconnect restores all subscriptions.
   */
  async subscribe<T = unknown>(
    nameOrFilter: string,
    handler: MessageHandler<T>,
    options: SubscribeOptions<T> = {},
  ): Promise<Unsubscribe> {
    if (this.#supervisor.state === 'closed') throw closedError();
    assertKnownOptions(options, SUBSCRIBE_OPTION_KEYS, `subscribe("${nameOrFilter}")`);
    const channel = this.#o.channels.get(nameOrFilter);
    const filter = channel?.topic ?? nameOrFilter;
    if (channel === undefined) {
      assertNotMisspeltChannel(nameOrFilter, this.#o.channels);
      assertFilter(filter, this.#o.limits);
    }
    const qos = options.qos ?? 0;
    if (typeof handler !== 'function' || (qos !== 0 && qos !== 1)) {
      const bad = typeof handler !== 'function' ? '"handler" must be a function' : 'option "qos" must be 0 or 1';
      throw new WebcommError(ERROR_CODES.INVALID_OPTION, `subscribe("${nameOrFilter}"): ${bad}.`, { topic: filter });
    }
    const decode = options.decode ?? (channel?.decode as DecodeOption<T> | undefined);
    const record = SubscriptionRegistry.record(filter, channel?.name, qos, decode, handler);
    const request = this.#registry.add(record);
    const link = this.#supervisor.link;
    if (request !== undefined && link !== undefined) {
      const deadline = { ...this.#deadline(options, this.#o.subscribeTimeoutMs), topic: filter };
      try {
        const { refused, codes } = await withDeadline('Subscribing', () => this.#sync.send(link, [request]), deadline);
        if (refused.length > 0) throw this.#sync.refuse(filter, 0, codes.get(filter));
      } catch (error) {
        const linkDropped = (error as WebcommError).code === ERROR_CODES.PROTOCOL && this.#supervisor.link !== link;
        if (!linkDropped) {
          this.#registry.remove(record);
          throw error;
        }
        // The link dropped mid-SUBSCRIBE: perhaps the broker's way of refusing it (IoT Core on
        // MQTT 3.1.1). Wait for its fate on the next links; still unknown at the deadline (the
        // broker is away), it stays registered and an `error` event reports a refusal later.
        await withDeadline('Subscribing', (signal) => this.#sync.outcome(filter, signal), deadline).catch(
          (outcome: unknown) => {
            if ((outcome as WebcommError).code === ERROR_CODES.TIMEOUT) return;
            this.#registry.remove(record);
            throw outcome;
          },
        );
      }
    }
    return () => this.#unsubscribe(record, options);
  }

  /**
   * Publishes `message` (bytes, string, or JSON value) on a channel opted in for publishing.
   * Rejects with `PUBLISH_NOT_ENABLED` before anything is sent otherwise. Broker publishes
   * wait in the bounded offline queue while disconnected.
   */
  async publish(channelName: string, message: unknown, options: PublishOptions = {}): Promise<void> {
    if (this.#supervisor.state === 'closed') throw closedError();
    const { mode, outgoing } = preparePublish(
      channelName,
      this.#o.channels,
      this.#publishModes?.get(channelName) ?? this.#o.channels.get(channelName)?.publish ?? false,
      message,
      options,
      this.#o.limits,
      this.#o.protocolVersion,
    );
    if (
      mode === 'broker' &&
      outgoing.qos === 0 &&
      outgoing.properties === undefined &&
      this.#supervisor.state === 'connected' &&
      options.signal === undefined &&
      options.timeoutMs === undefined
    ) {
      // Fast path (measured: the deadline's AbortController and timer cost ~10 µs a call): a QoS 0
      // write on a live link settles on its own: written, requeued then expired, or closed.
      return this.#outbox.submit(outgoing.topic, outgoing.payload, 0, outgoing.retain);
    }
    const deadline = { ...this.#deadline(options, this.#o.publishTimeoutMs), topic: outgoing.topic };
    if (mode === 'broker') {
      const { topic, payload, qos, retain, properties } = outgoing;
      return withDeadline(
        'Publishing',
        (signal) => this.#outbox.submit(topic, payload, qos, retain, signal, properties),
        deadline,
      );
    }
    return withDeadline('Publishing', (signal) => mode.publish(outgoing, { signal }), deadline);
  }

  /** Opts a channel in for publishing, straight to the broker or through a {@link ChannelPublisher}. */
  enablePublish(channelName: string, mode: Exclude<PublishMode, false> = 'broker'): void {
    if (!this.#o.channels.has(channelName)) {
      throw new WebcommError(
        ERROR_CODES.INVALID_OPTION,
        `enablePublish(): no channel "${channelName}" (${suggestChannel(channelName, this.#o.channels.keys())}); declare it in options.channels.`,
      );
    }
    (this.#publishModes ??= new Map()).set(channelName, mode);
  }

  /**
   * Tries again now instead of waiting out the backoff delay, e.g. when the browser reports
   * that the network is back. Does nothing unless a retry is scheduled.
   */
  retryNow(): void {
    this.#supervisor.retryNow();
  }

  /**
   * Replaces the live link with a fresh one now (a fresh transport `open()`: new credentials,
   * a newly signed URL), e.g. ahead of credential expiry or a WebSocket's 24-hour limit.
   * Subscriptions are restored on the new link; publishes wait in the queue meanwhile.
   * Does nothing unless connected.
   */
  renewLink(): void {
    this.#supervisor.renewLink();
  }

  /**
   * Closes gracefully: sends DISCONNECT, rejects whatever is pending with `CLOSED`, clears every
   * timer and socket. Never reconnects afterwards. Safe to call more than once.
   */
  close(): Promise<void> {
    return this.#supervisor.close();
  }

  #deadline(options: OperationOptions, defaultTimeoutMs: number): Parameters<typeof withDeadline>[2] {
    return {
      clock: this.#o.clock,
      timeoutMs: options.timeoutMs ?? defaultTimeoutMs,
      signals: [options.signal],
      closing: this.#closing,
    };
  }

  async #unsubscribe(record: HandlerRecord, options: OperationOptions): Promise<void> {
    if (!this.#registry.remove(record)) return;
    await this.#sync.unsubscribe(record.filter, this.#supervisor.link, {
      ...this.#deadline(options, this.#o.subscribeTimeoutMs),
      topic: record.filter,
    });
  }
}
