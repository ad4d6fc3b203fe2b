import { EventEmitter } from 'eventemitter3';
import type { MqttClient } from 'mqtt';
import { AckConfirmer } from './inbound/ack-confirmer.js';
import { BanDetector } from './connection/ban-detector.js';
import { BrokerOutbox, type DetachCause } from './outbound/broker-outbox.js';
import { classifyError } from './connection/classify-error.js';
import { CloseSignal } from './util/close-signal.js';
import type { TimerHandle } from './util/clock.js';
import { OPERATION_OPTION_KEYS, SUBSCRIBE_OPTION_KEYS } from './client-option-keys.js';
import { connectAttempt, type OpenLink } from './connection/connect-attempt.js';
import { explainConnectTimeout } from './connection/connect-timeout.js';
import type { PublishOptions, SubscribeOptions, Unsubscribe } from './client-calls.js';
import { withDeadline, type OperationOptions } from './util/deadline.js';
import type { DecodeOption } from './inbound/decoders.js';
import { ERROR_CODES, WebcommError } from './errors.js';
import type { WebcommClientEvents } from './events.js';
import { INSPECT_CUSTOM } from './util/hide-secrets.js';
import { assertKnownOptions } from './util/option-keys.js';
import { endGracefully, startLinkSession, type LinkSession } from './connection/link-session.js';
import { resolveOptions, type PublishMode, type ResolvedOptions, type WebcommClientOptions } from './options.js';
import { preparePublish } from './outbound/prepare-publish.js';
import { ReconnectSchedule } from './connection/reconnect-schedule.js';
import { RedeliveryFilter } from './inbound/redelivery-filter.js';
import { REFUSAL_WINDOW_MS } from './inbound/refusal-tracker.js';
import { SubscriptionSync } from './inbound/subscription-sync.js';
import { TakeoverDetector } from './connection/takeover.js';
import { nextState, type ConnectionEvent, type ConnectionState } from './connection/state.js';
import { SubscriptionRegistry, type HandlerRecord, type MessageHandler } from './inbound/subscriptions.js';
import { assertFilter } from './inbound/topic-rules.js';

const closedError = (): WebcommError => new WebcommError(ERROR_CODES.CLOSED, 'The client was closed; create a new client to connect again.');

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
  readonly #publishModes = new Map<string, PublishMode>();
  readonly #closing = new CloseSignal<WebcommError>();
  readonly #waiters = new Set<{ resolve: () => void; reject: (e: WebcommError) => void }>();
  #state: ConnectionState = 'idle';
  /** The MQTT link after CONNACK, while it is current. */
  #link: MqttClient | undefined;
  #session: LinkSession | undefined;
  /** Proves PUBACKs reached the broker, so the redelivery filter can forget those messages. */
  #confirmer: AckConfirmer | undefined;
  #attemptController: AbortController | undefined;
  readonly #schedule: ReconnectSchedule;
  #retryTimer: TimerHandle | undefined;
  #attemptTimer: TimerHandle | undefined;
  #stableTimer: TimerHandle | undefined;
  /** Connecting on behalf of `connect()` callers, before the first CONNACK. */
  #firstConnection = false;
  /** Tells another connection with our client ID taking over ours from ordinary drops. */
  readonly #takeovers: TakeoverDetector;
  /** Drops QoS 1 messages the broker resends on a later link of a kept session. */
  readonly #redeliveries = new RedeliveryFilter();
  /** What ended the last attempt or link since the last connection, for connect timeouts. */
  #lastFailure: WebcommError | undefined;
  /** Keeps the broker's subscriptions in step with the registry, refusals included. */
  readonly #sync: SubscriptionSync;
  /** Tells a ban from other refusals by asking the service (`statusCheck`). */
  readonly #bans: BanDetector;

  /** Validates `options` (throws `INVALID_OPTION` naming the bad one). Does not connect. */
  constructor(options: WebcommClientOptions) {
    super();
    this.#o = resolveOptions(options);
    this.#registry = new SubscriptionRegistry(this.#o.hashMatchesParent);
    this.#outbox = new BrokerOutbox(this.#o.queue, this.#o.clock, this.#o.logger);
    this.#schedule = new ReconnectSchedule(this.#o.backoff, this.#o.random);
    this.#bans = new BanDetector(this.#o, this.#closing);
    this.#takeovers = new TakeoverDetector(this.#o.takeoverWindowMs);
    this.#sync = new SubscriptionSync(this.#o, this.#registry, () => this.#link);
    for (const c of this.#o.channels.values()) this.#publishModes.set(c.name, c.publish);
  }

  /** The current connection state. */
  get state(): ConnectionState {
    return this.#state;
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
    return { clientId: this.#o.clientId, state: this.#state, transport: this.#o.transport.name, channels: [...this.#o.channels.keys()] };
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
    if (this.#state === 'closed') return Promise.reject(closedError());
    try {
      assertKnownOptions(options, OPERATION_OPTION_KEYS, 'connect()');
    } catch (error) {
      return Promise.reject(error as WebcommError);
    }
    if (this.#state === 'connected') return Promise.resolve();
    const wait = withDeadline(
      'Connecting',
      (signal) =>
        new Promise<void>((resolve, reject) => {
          const waiter = { resolve, reject };
          this.#waiters.add(waiter);
          signal.addEventListener('abort', () => this.#waiters.delete(waiter), { once: true });
        }),
      { clock: this.#o.clock, timeoutMs: options.timeoutMs ?? this.#o.connectTimeoutMs, signals: [options.signal], closing: this.#closing },
    );
    if ((this.#state === 'idle' || this.#state === 'failed') && options.signal?.aborted !== true) {
      this.#schedule.markStable();
      this.#firstConnection = true;
      this.#lastFailure = undefined;
      this.#setState('connect', 'connect');
      void this.#attempt();
    }
    return wait.catch((failure: unknown) => {
      const error = explainConnectTimeout(failure, this.#lastFailure, this.#schedule.nextAttempt);
      // Give up only on a first connection nobody else still waits for; once a link has been
      // up, reconnecting belongs to the client and a caller's timeout does not stop it.
      if (this.#firstConnection && this.#waiters.size === 0) this.#stop('cancel', error as WebcommError);
      throw error;
    });
  }

  /**
   * Registers `handler` for a channel name or an MQTT filter (`+`, `#`). Several handlers may
   * share a filter. While connected it resolves after SUBACK; while offline it resolves at once
   * and the subscription is sent on connect. Every reconnect restores all subscriptions.
   */
  async subscribe<T = unknown>(nameOrFilter: string, handler: MessageHandler<T>, options: SubscribeOptions<T> = {}): Promise<Unsubscribe> {
    if (this.#state === 'closed') throw closedError();
    assertKnownOptions(options, SUBSCRIBE_OPTION_KEYS, `subscribe("${nameOrFilter}")`);
    const channel = this.#o.channels.get(nameOrFilter);
    const filter = channel?.topic ?? nameOrFilter;
    if (channel === undefined) assertFilter(filter, this.#o.limits);
    const qos = options.qos ?? 0;
    if (typeof handler !== 'function' || (qos !== 0 && qos !== 1)) {
      const bad = typeof handler !== 'function' ? '"handler" must be a function' : 'option "qos" must be 0 or 1';
      throw new WebcommError(ERROR_CODES.INVALID_OPTION, `subscribe("${nameOrFilter}"): ${bad}.`, { topic: filter });
    }
    const decode = options.decode ?? (channel?.decode as DecodeOption<T> | undefined);
    const record = SubscriptionRegistry.record(filter, channel?.name, qos, decode, handler);
    const request = this.#registry.add(record);
    const link = this.#link;
    if (request !== undefined && link !== undefined) {
      const deadline = { ...this.#deadline(options, this.#o.subscribeTimeoutMs), topic: filter };
      try {
        const { refused } = await withDeadline('Subscribing', () => this.#sync.send(link, [request]), deadline);
        if (refused.length > 0) throw this.#sync.refuse(filter);
      } catch (error) {
        const linkDropped = (error as WebcommError).code === ERROR_CODES.PROTOCOL && this.#link !== link;
        if (!linkDropped) {
          this.#registry.remove(record);
          throw error;
        }
        // The link dropped mid-SUBSCRIBE: perhaps the broker's way of refusing it (IoT Core on
        // MQTT 3.1.1). Wait for its fate on the next links; still unknown at the deadline (the
        // broker is away), it stays registered and an `error` event reports a refusal later.
        await withDeadline('Subscribing', (signal) => this.#sync.outcome(filter, signal), deadline).catch((outcome: unknown) => {
          if ((outcome as WebcommError).code === ERROR_CODES.TIMEOUT) return;
          this.#registry.remove(record);
          throw outcome;
        });
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
    if (this.#state === 'closed') throw closedError();
    const channel = this.#o.channels.get(channelName);
    const { mode, outgoing } = preparePublish(channelName, channel, this.#publishModes.get(channelName) ?? false, message, options, this.#o.limits);
    if (mode === 'broker' && outgoing.qos === 0 && this.#state === 'connected' && options.signal === undefined && options.timeoutMs === undefined) {
      // Fast path (measured: the deadline's AbortController and timer cost ~10 µs a call): a QoS 0
      // write on a live link settles on its own: written, requeued then expired, or closed.
      return this.#outbox.submit(outgoing.topic, outgoing.payload, 0, outgoing.retain);
    }
    const deadline = { ...this.#deadline(options, this.#o.publishTimeoutMs), topic: outgoing.topic };
    if (mode === 'broker') {
      const { topic, payload, qos, retain } = outgoing;
      return withDeadline('Publishing', (signal) => this.#outbox.submit(topic, payload, qos, retain, signal), deadline);
    }
    return withDeadline('Publishing', (signal) => mode.publish(outgoing, { signal }), deadline);
  }

  /** Opts a channel in for publishing, straight to the broker or through a {@link ChannelPublisher}. */
  enablePublish(channelName: string, mode: Exclude<PublishMode, false> = 'broker'): void {
    if (!this.#o.channels.has(channelName)) {
      throw new WebcommError(ERROR_CODES.INVALID_OPTION, `enablePublish(): no channel "${channelName}"; declare it in options.channels.`);
    }
    this.#publishModes.set(channelName, mode);
  }

  /**
   * Tries again now instead of waiting out the backoff delay, e.g. when the browser reports
   * that the network is back. Does nothing unless a retry is scheduled.
   */
  retryNow(): void {
    if (this.#state !== 'reconnecting' || this.#retryTimer === undefined) return;
    this.#clearTimer('retry');
    void this.#attempt();
  }

  /**
   * Replaces the live link with a fresh one now (a fresh transport `open()`: new credentials,
   * a newly signed URL), e.g. ahead of credential expiry or a WebSocket's 24-hour limit.
   * Subscriptions are restored on the new link; publishes wait in the queue meanwhile.
   * Does nothing unless connected.
   */
  renewLink(): void {
    const old = this.#link;
    if (this.#state !== 'connected' || old === undefined) return;
    const reason = new WebcommError(ERROR_CODES.NETWORK, 'The link is being renewed with fresh connection material.');
    this.#dropLink();
    this.emit('disconnected', { reason: 'renew', error: reason });
    this.#setState('link-lost', 'renew', reason);
    void this.#attempt();
    // The new CONNECT takes over the client ID; end the old link without waiting for it.
    old.end(true);
  }

  /**
   * Closes gracefully: sends DISCONNECT, rejects whatever is pending with `CLOSED`, clears every
   * timer and socket. Never reconnects afterwards. Safe to call more than once.
   */
  async close(): Promise<void> {
    if (this.#state === 'closed') return;
    const link = this.#link;
    this.#stop('close');
    if (link !== undefined) await endGracefully(link, this.#o.clock);
  }

  /** The one door for state changes; emits `state` `{from, to, reason}`. */
  #setState(event: ConnectionEvent, reason: string, error?: WebcommError): void {
    const from = this.#state;
    const to = nextState(from, event);
    if (to === undefined || to === from) return;
    this.#state = to;
    this.#o.logger.info('state', { from, to, reason, ...(error === undefined ? {} : { error: error.message }) });
    this.emit('state', { from, to, reason, ...(error === undefined ? {} : { error }) });
  }

  #deadline(options: OperationOptions, defaultTimeoutMs: number): Parameters<typeof withDeadline>[2] {
    return { clock: this.#o.clock, timeoutMs: options.timeoutMs ?? defaultTimeoutMs, signals: [options.signal], closing: this.#closing };
  }

  async #attempt(): Promise<void> {
    this.#retryTimer = undefined;
    const attempt = this.#schedule.nextAttempt;
    const controller = new AbortController();
    this.#attemptController = controller;
    this.#attemptTimer = this.#o.clock.setTimeout(() => {
      const message = `Connection attempt ${attempt} got no CONNACK within ${this.#o.connectTimeoutMs} ms.`;
      controller.abort(new WebcommError(ERROR_CODES.TIMEOUT, message));
    }, this.#o.connectTimeoutMs);
    let open: OpenLink;
    try {
      open = await connectAttempt(this.#o, attempt, controller.signal);
    } catch (error) {
      if (this.#attemptController !== controller) return;
      this.#clearTimer('attempt');
      const failure = await this.#bans.explain(classifyError(error, this.#o.transport), attempt);
      // close() or a new connect() may have come while the service was asked.
      if (this.#attemptController === controller) this.#onFailure(failure);
      return;
    }
    if (this.#attemptController !== controller) {
      open.mqtt.end(true);
      return;
    }
    this.#clearTimer('attempt');
    await this.#onLinkUp(open, attempt, controller);
  }

  async #onLinkUp({ mqtt, endpoint, sessionPresent, held }: OpenLink, attempt: number, controller: AbortController): Promise<void> {
    this.#link = mqtt;
    this.#redeliveries.linkStarted(sessionPresent);
    const confirmer = new AckConfirmer(mqtt, this.#o.clock, this.#redeliveries, this.#o.logger);
    this.#confirmer = confirmer;
    this.#session = startLinkSession(mqtt, endpoint, this.#o, {
      onMessage: (message) => {
        if (!this.#redeliveries.admit(message)) {
          this.#o.logger.debug('dropped a QoS 1 redelivery already delivered', { topic: message.topic });
          return;
        }
        if (message.qos === 1) confirmer.delivered();
        this.emit('message', message);
        const handled = this.#registry.dispatch(message, (error) => this.emit('error', error));
        // Still visible through the `message` event; e.g. a message racing an unsubscribe.
        if (handled === 0) this.#o.logger.debug('message matched no handler', { topic: message.topic });
      },
      onDown: (error) => this.#onLinkDown(mqtt, error),
    }, held);
    try {
      await this.#sync.restore(mqtt, controller.signal, (error) => this.emit('error', error));
    } catch (error) {
      this.#onLinkDown(mqtt, classifyError(error, this.#o.transport));
      return;
    }
    if (this.#link !== mqtt) return;
    this.#firstConnection = false;
    this.#lastFailure = undefined;
    this.#bans.linkUp();
    this.#takeovers.linkUp(this.#o.clock.now());
    this.#setState('connected', attempt === 1 ? 'connack' : 'reconnected');
    this.#outbox.attach(mqtt);
    this.#stableTimer = this.#o.clock.setTimeout(() => {
      this.#stableTimer = undefined;
      this.#schedule.markStable();
    }, this.#o.stableAfterMs);
    this.emit('connected', { sessionPresent, endpoint, attempt });
    for (const waiter of this.#waiters) waiter.resolve();
    this.#waiters.clear();
  }

  #onLinkDown(mqtt: MqttClient, error: WebcommError): void {
    if (this.#link !== mqtt) return;
    const wasConnected = this.#state === 'connected';
    // A close while SUBSCRIBEs or QoS 1 publishes wait for their answer may be the broker
    // refusing one of them (IoT Core on MQTT 3.1.1): attributed to them, not to a takeover.
    const now = this.#o.clock.now();
    const subscribesInFlight = this.#sync.inFlight(now);
    const publishesInFlight = this.#outbox.awaitingAck(REFUSAL_WINDOW_MS);
    const mayBeRefusal = !error.fatal && error.code !== ERROR_CODES.DEAD_LINK && subscribesInFlight + publishesInFlight > 0;
    if (wasConnected && !mayBeRefusal && this.#tookOver(error)) return;
    const verdict = mayBeRefusal ? this.#sync.linkClosed(now, publishesInFlight) : undefined;
    this.#dropLink({ attributed: mayBeRefusal, subscribesInFlight, windowMs: REFUSAL_WINDOW_MS })?.end(true);
    for (const { filter, drops } of verdict?.refused ?? []) this.emit('error', this.#sync.refuse(filter, drops));
    if (wasConnected) this.emit('disconnected', { reason: error.code, error });
    if (wasConnected && !error.fatal) {
      this.#setState('link-lost', 'link-lost', error);
      this.#scheduleRetry(error, this.#takeovers.upFor(this.#o.clock.now()));
    } else {
      this.#onFailure(error);
    }
  }

  /** Reports a takeover (see TakeoverDetector) and acts on it. Returns true when it stopped. */
  #tookOver(error: WebcommError): boolean {
    const count = this.#takeovers.linkLost(error, this.#o.clock.now());
    if (count === undefined) return false;
    const action = this.#o.onTakeover;
    this.emit('takenOver', { count, action });
    if (action === 'backoff') return false;
    const takenOver = new WebcommError(
      ERROR_CODES.TAKEN_OVER,
      `Another connection with client ID "${this.#o.clientId}" keeps taking this one over; stopped. Give every process its own client ID.`,
      { fatal: true, cause: error },
    );
    this.#dropLink()?.end(true);
    this.emit('disconnected', { reason: takenOver.code, error: takenOver });
    this.#stop('fatal', takenOver);
    this.emit('error', takenOver);
    return true;
  }

  #onFailure(error: WebcommError): void {
    if (error.fatal) {
      this.#stop('fatal', error);
      this.emit('error', error);
      return;
    }
    this.#setState('attempt-failed', 'attempt-failed', error);
    this.#scheduleRetry(error);
  }

  /** Schedules the next attempt; `linkUpMs` is how long the link just lost had been up. */
  #scheduleRetry(error: WebcommError, linkUpMs?: number): void {
    this.#lastFailure = error;
    const { attempt, delayMs } = linkUpMs === undefined ? this.#schedule.fail() : this.#schedule.linkLost(linkUpMs, this.#o.takeoverWindowMs);
    this.#o.logger.info('reconnecting', { attempt, delayMs, error: error.message });
    this.#retryTimer = this.#o.clock.setTimeout(() => void this.#attempt(), delayMs);
    this.emit('reconnecting', { attempt, delayMs, error });
  }

  /** Detaches the current link and its timers; unacknowledged publishes go back to the queue. */
  #dropLink(cause?: DetachCause): MqttClient | undefined {
    const mqtt = this.#link;
    this.#link = undefined;
    this.#sync.linkReplaced();
    // The attempt that made this link may still be restoring subscriptions: stop it.
    if (mqtt !== undefined) this.#attemptController?.abort(new WebcommError(ERROR_CODES.NETWORK, 'The link was dropped.'));
    this.#session?.stop();
    this.#session = undefined;
    this.#confirmer?.stop();
    this.#confirmer = undefined;
    this.#clearTimer('stable');
    this.#outbox.detach(cause);
    return mqtt;
  }

  /** Stops every attempt and timer, then moves to `failed`, `idle` or `closed`. */
  #stop(event: 'fatal' | 'cancel' | 'close', error?: WebcommError): void {
    const reason = error ?? closedError();
    this.#clearTimer('attempt');
    this.#clearTimer('retry');
    const controller = this.#attemptController;
    this.#attemptController = undefined;
    controller?.abort(reason);
    const mqtt = this.#dropLink();
    // close() ends the link gracefully itself; the other paths cut it now.
    if (event !== 'close') mqtt?.end(true);
    if (event !== 'cancel') this.#outbox.closeAll(reason);
    if (event === 'close') this.#closing.close(reason);
    this.#setState(event, event, error);
    for (const waiter of this.#waiters) waiter.reject(reason);
    this.#waiters.clear();
  }

  #clearTimer(which: 'attempt' | 'retry' | 'stable'): void {
    const handle = which === 'attempt' ? this.#attemptTimer : which === 'retry' ? this.#retryTimer : this.#stableTimer;
    if (handle !== undefined) this.#o.clock.clearTimeout(handle);
    if (which === 'attempt') this.#attemptTimer = undefined;
    else if (which === 'retry') this.#retryTimer = undefined;
    else this.#stableTimer = undefined;
  }

  async #unsubscribe(record: HandlerRecord, options: OperationOptions): Promise<void> {
    if (!this.#registry.remove(record)) return;
    await this.#sync.unsubscribe(record.filter, this.#link, { ...this.#deadline(options, this.#o.subscribeTimeoutMs), topic: record.filter });
  }
}
