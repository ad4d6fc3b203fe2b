import { EventEmitter } from 'eventemitter3';
import type { MqttClient } from 'mqtt';
import { backoffDelay } from './backoff.js';
import { BrokerOutbox } from './broker-outbox.js';
import { fromMqttBytes } from './bytes.js';
import { classifyError } from './classify-error.js';
import { CloseSignal } from './close-signal.js';
import type { TimerHandle } from './clock.js';
import { connectAttempt, type OpenLink } from './connect-attempt.js';
import { DeadLinkWatchdog } from './dead-link-watchdog.js';
import { withDeadline, type OperationOptions } from './deadline.js';
import { encodePayload, type DecodeOption } from './decoders.js';
import { ERROR_CODES, WebcommError } from './errors.js';
import type { WebcommClientEvents } from './events.js';
import { sendSubscribe, sendUnsubscribe, subscribeRefused } from './mqtt-ops.js';
import { resolveOptions, type PublishMode, type ResolvedOptions, type WebcommClientOptions } from './options.js';
import { nextState, type ConnectionEvent, type ConnectionState } from './state.js';
import { SubscriptionRegistry, type MessageHandler } from './subscriptions.js';
import { assertFilter, assertPayloadSize, assertPublishTopic } from './topic-rules.js';

/** Options of {@link WebcommClient.subscribe}. */
export interface SubscribeOptions<T> extends OperationOptions {
  /** Payload decoding: `'json'` (default, or the channel's), `'raw'` bytes, or a function. */
  readonly decode?: DecodeOption<T>;
  /** Subscription QoS. @default 0 */
  readonly qos?: 0 | 1;
}

/** Options of {@link WebcommClient.publish}. */
export interface PublishOptions extends OperationOptions {
  /** QoS 0 resolves once written, QoS 1 on PUBACK. @default 0 */
  readonly qos?: 0 | 1;
  /** Retained flag (broker publishes). @default false */
  readonly retain?: boolean;
}

/** Removes one handler; sends UNSUBSCRIBE when it was the filter's last. */
export type Unsubscribe = () => Promise<void>;

const closedError = (): WebcommError => new WebcommError(ERROR_CODES.CLOSED, 'The client was closed; create a new client to connect again.');

/**
 * A push-channel client over MQTT that takes care of its connection: one state machine,
 * reconnect with jittered backoff, resubscription, dead-link detection, an offline queue, and
 * typed events. Transport-agnostic: an adapter passes a {@link Transport}.
 */
export class WebcommClient extends EventEmitter<WebcommClientEvents> {
  readonly #o: ResolvedOptions;
  readonly #registry: SubscriptionRegistry;
  readonly #outbox: BrokerOutbox;
  readonly #publishModes = new Map<string, PublishMode>();
  readonly #closing = new CloseSignal<WebcommError>();
  readonly #waiters = new Set<{ resolve: () => void; reject: (e: WebcommError) => void }>();
  #state: ConnectionState = 'idle';
  #link: MqttClient | undefined;
  #attemptController: AbortController | undefined;
  #failures = 0;
  #lastDelay = 0;
  #retryTimer: TimerHandle | undefined;
  #attemptTimer: TimerHandle | undefined;
  #stableTimer: TimerHandle | undefined;
  #watchdog: DeadLinkWatchdog | undefined;

  constructor(options: WebcommClientOptions) {
    super();
    this.#o = resolveOptions(options);
    this.#registry = new SubscriptionRegistry(this.#o.hashMatchesParent);
    this.#outbox = new BrokerOutbox(this.#o.queue, this.#o.clock, this.#o.logger);
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

  /**
   * Starts connecting (if not already) and resolves once connected. Rejects with the fatal
   * error when the server refuses for good (state `failed`), or with `TIMEOUT`/`ABORTED`, in
   * which case connecting stops and the state returns to `idle`.
   */
  connect(options: OperationOptions = {}): Promise<void> {
    if (this.#state === 'closed') return Promise.reject(closedError());
    if (this.#state === 'connected') return Promise.resolve();
    if (this.#state === 'idle' || this.#state === 'failed') {
      this.#failures = 0;
      this.#lastDelay = 0;
      this.#setState('connect', 'connect');
      void this.#attempt();
    }
    return withDeadline(
      'Connecting',
      (signal) =>
        new Promise<void>((resolve, reject) => {
          const waiter = { resolve, reject };
          this.#waiters.add(waiter);
          signal.addEventListener('abort', () => this.#waiters.delete(waiter), { once: true });
        }),
      { clock: this.#o.clock, timeoutMs: options.timeoutMs ?? this.#o.connectTimeoutMs, signals: [options.signal],
      closing: this.#closing },
    ).catch((error: unknown) => {
      if (this.#state === 'connecting' || this.#state === 'reconnecting') this.#stopConnecting('cancel', error as WebcommError);
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
    const channel = this.#o.channels.get(nameOrFilter);
    const filter = channel?.topic ?? nameOrFilter;
    if (channel === undefined) assertFilter(filter, this.#o.limits);
    if (typeof handler !== 'function') {
      throw new WebcommError(ERROR_CODES.INVALID_OPTION, 'subscribe(): "handler" must be a function.', { topic: filter });
    }
    const decode = options.decode ?? (channel?.decode as DecodeOption<T> | undefined);
    const record = SubscriptionRegistry.record(filter, channel?.name, options.qos ?? 0, decode, handler);
    const request = this.#registry.add(record);
    const link = this.#link;
    if (request !== undefined && link !== undefined) {
      try {
        const { refused } = await withDeadline('Subscribing', () => sendSubscribe(link, [request], this.#o.limits.maxFiltersPerSubscribe), {
          clock: this.#o.clock,
          timeoutMs: options.timeoutMs ?? this.#o.subscribeTimeoutMs,
          signals: [options.signal],
      closing: this.#closing,
          topic: filter,
        });
        if (refused.length > 0) throw subscribeRefused(filter);
      } catch (error) {
        // A link that dropped mid-SUBSCRIBE is not a failure: the next link restores it.
        const refusedOrCancelled = (error as WebcommError).code !== ERROR_CODES.PROTOCOL || this.#link === link;
        if (refusedOrCancelled) {
          this.#registry.remove(record);
          throw error;
        }
      }
    }
    return () => this.#unsubscribe(record, options);
  }

  /**
   * Publishes `message` (bytes, string, or JSON value) on a channel opted in for publishing.
   * Rejects with `PUBLISH_NOT_ENABLED` before anything is sent otherwise.
   */
  async publish(channelName: string, message: unknown, options: PublishOptions = {}): Promise<void> {
    if (this.#state === 'closed') throw closedError();
    const channel = this.#o.channels.get(channelName);
    const mode = this.#publishModes.get(channelName) ?? false;
    if (channel === undefined || mode === false) {
      throw new WebcommError(
        ERROR_CODES.PUBLISH_NOT_ENABLED,
        channel === undefined
          ? `Cannot publish to "${channelName}": no such channel. Declare it in options.channels with a publish mode.`
          : `Publishing to channel "${channelName}" is not enabled; set its publish option or call enablePublish("${channelName}").`,
        { topic: channelName },
      );
    }
    assertPublishTopic(channel.topic, this.#o.limits);
    let payload: Uint8Array;
    try {
      payload = encodePayload(message);
    } catch (cause) {
      throw new WebcommError(ERROR_CODES.INVALID_PAYLOAD, `Cannot encode the message for "${channelName}": ${(cause as Error).message}`, {
        cause,
        topic: channel.topic,
      });
    }
    assertPayloadSize(channel.topic, payload, this.#o.limits);
    const qos = options.qos ?? 0;
    const retain = options.retain ?? false;
    const deadline = {
      clock: this.#o.clock,
      timeoutMs: options.timeoutMs ?? this.#o.publishTimeoutMs,
      signals: [options.signal],
      closing: this.#closing,
      topic: channel.topic,
    };
    if (mode === 'broker') {
      return withDeadline('Publishing', (signal) => this.#outbox.submit(channel.topic, payload, qos, retain, signal), deadline);
    }
    const outgoing = { channel: channel.name, topic: channel.topic, message, payload, qos, retain };
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
   * Closes gracefully: sends DISCONNECT, rejects whatever is pending with `CLOSED`, clears every
   * timer and socket. Never reconnects afterwards. Safe to call more than once.
   */
  async close(): Promise<void> {
    if (this.#state === 'closed') return;
    const link = this.#link;
    this.#stopConnecting('close');
    this.#closing.close(closedError());
    if (link !== undefined) await endGracefully(link, this.#o.clock);
  }

  #setState(event: ConnectionEvent, reason: string, error?: WebcommError): boolean {
    const from = this.#state;
    const to = nextState(from, event);
    if (to === undefined) return false;
    this.#state = to;
    if (to !== from) {
      this.#o.logger.info('state', { from, to, reason, ...(error === undefined ? {} : { error: error.message }) });
      this.emit('state', { from, to, reason, ...(error === undefined ? {} : { error }) });
    }
    return true;
  }

  async #attempt(): Promise<void> {
    this.#retryTimer = undefined;
    const attempt = this.#failures + 1;
    const controller = new AbortController();
    this.#attemptController = controller;
    this.#attemptTimer = this.#o.clock.setTimeout(
      () => controller.abort(new WebcommError(ERROR_CODES.TIMEOUT, `Connection attempt ${attempt} got no CONNACK within ${this.#o.connectTimeoutMs} ms.`)),
      this.#o.connectTimeoutMs,
    );
    let open: OpenLink;
    try {
      open = await connectAttempt(this.#o, attempt, controller.signal);
    } catch (error) {
      if (this.#attemptController === controller) {
        this.#clearAttemptTimer();
        this.#onFailure(classifyError(error, this.#o.transport));
      }
      return;
    }
    if (this.#attemptController === controller) this.#clearAttemptTimer();
    if (this.#attemptController !== controller) {
      open.mqtt.end(true);
      return;
    }
    await this.#onLinkUp(open, attempt, controller);
  }

  async #onLinkUp(open: OpenLink, attempt: number, controller: AbortController): Promise<void> {
    const { mqtt } = open;
    this.#link = mqtt;
    mqtt.on('error', (error) => this.#o.logger.debug('mqtt error', { error }));
    mqtt.on('close', () => this.#onLinkDown(mqtt, new WebcommError(ERROR_CODES.NETWORK, `The link to ${open.endpoint} closed.`)));
    mqtt.on('message', (topic, payload, packet) => {
      const message = { topic, payload: fromMqttBytes(payload), qos: packet.qos, retain: packet.retain };
      this.emit('message', message);
      this.#registry.dispatch(message, (error) => this.emit('error', error));
    });
    const watchdog = new DeadLinkWatchdog(this.#o.clock, this.#o.keepaliveSeconds * 1500, (silentFor) => {
      const error = new WebcommError(ERROR_CODES.DEAD_LINK, `No data from ${open.endpoint} for ${silentFor} ms (1.5 × keepalive); replacing the link.`);
      this.#onLinkDown(mqtt, error);
    });
    this.#watchdog = watchdog;
    mqtt.on('packetreceive', () => watchdog.touch());
    watchdog.start();

    // Always re-send every subscription, even when the broker says it kept the session: a
    // broker may drop subscriptions (IoT Core expires sessions) and re-subscribing is idempotent.
    const filters = this.#registry.filters();
    try {
      const { refused } = await withDeadline('Restoring subscriptions', () => sendSubscribe(mqtt, filters, this.#o.limits.maxFiltersPerSubscribe), {
        clock: this.#o.clock,
        timeoutMs: this.#o.subscribeTimeoutMs,
        signals: [controller.signal],
      });
      for (const filter of refused) this.emit('error', subscribeRefused(filter));
    } catch (error) {
      if (this.#link === mqtt) this.#onLinkDown(mqtt, classifyError(error, this.#o.transport));
      return;
    }
    if (this.#link !== mqtt) return;
    this.#setState('connected', attempt === 1 ? 'connack' : 'reconnected');
    this.#outbox.attach(mqtt);
    this.#stableTimer = this.#o.clock.setTimeout(() => {
      this.#failures = 0;
      this.#lastDelay = 0;
    }, this.#o.stableAfterMs);
    this.emit('connected', { sessionPresent: open.sessionPresent, endpoint: open.endpoint, attempt });
    for (const waiter of this.#waiters) waiter.resolve();
    this.#waiters.clear();
  }

  #onLinkDown(mqtt: MqttClient, error: WebcommError): void {
    if (this.#link !== mqtt) return;
    const wasConnected = this.#state === 'connected';
    this.#dropLink();
    if (wasConnected) this.emit('disconnected', { reason: error.code, error });
    if (wasConnected && !error.fatal) {
      this.#setState('link-lost', 'link-lost', error);
      this.#scheduleRetry(error);
    } else {
      this.#onFailure(error);
    }
  }

  #onFailure(error: WebcommError): void {
    if (error.fatal) {
      this.#stopConnecting('fatal', error);
      this.emit('error', error);
      return;
    }
    this.#setState('attempt-failed', 'attempt-failed', error);
    this.#scheduleRetry(error);
  }

  #scheduleRetry(error: WebcommError): void {
    this.#failures += 1;
    const delayMs = backoffDelay(this.#failures, this.#lastDelay, this.#o.backoff, this.#o.random());
    this.#lastDelay = delayMs;
    this.#o.logger.info('reconnecting', { attempt: this.#failures + 1, delayMs, error: error.message });
    this.#retryTimer = this.#o.clock.setTimeout(() => void this.#attempt(), delayMs);
    this.emit('reconnecting', { attempt: this.#failures + 1, delayMs, error });
  }

  /** Ends the current link (if any) and its timers; pending publishes go back to the queue. */
  #dropLink(): void {
    const mqtt = this.#link;
    this.#link = undefined;
    this.#watchdog?.stop();
    this.#watchdog = undefined;
    if (this.#stableTimer !== undefined) this.#o.clock.clearTimeout(this.#stableTimer);
    this.#stableTimer = undefined;
    this.#outbox.detach();
    if (mqtt !== undefined) {
      mqtt.removeAllListeners('message');
      mqtt.end(true);
    }
  }

  /** Stops every attempt and timer, then moves to `failed`, `idle` or `closed`. */
  #stopConnecting(event: 'fatal' | 'cancel' | 'close', error?: WebcommError): void {
    this.#clearAttemptTimer();
    const controller = this.#attemptController;
    this.#attemptController = undefined;
    controller?.abort(error ?? closedError());
    if (this.#retryTimer !== undefined) this.#o.clock.clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    if (event === 'close') {
      this.#link?.removeAllListeners('close');
      this.#watchdog?.stop();
      this.#watchdog = undefined;
      if (this.#stableTimer !== undefined) this.#o.clock.clearTimeout(this.#stableTimer);
      this.#stableTimer = undefined;
      this.#link = undefined;
      this.#outbox.closeAll(closedError());
    } else {
      this.#dropLink();
    }
    if (event === 'fatal') this.#outbox.closeAll(error ?? closedError());
    this.#setState(event, event, error);
    for (const waiter of this.#waiters) waiter.reject(error ?? closedError());
    this.#waiters.clear();
  }

  #clearAttemptTimer(): void {
    if (this.#attemptTimer !== undefined) this.#o.clock.clearTimeout(this.#attemptTimer);
    this.#attemptTimer = undefined;
  }

  async #unsubscribe(record: ReturnType<typeof SubscriptionRegistry.record>, options: OperationOptions): Promise<void> {
    if (!this.#registry.has(record)) return;
    const last = this.#registry.remove(record);
    const link = this.#link;
    if (!last || link === undefined) return;
    await withDeadline('Unsubscribing', () => sendUnsubscribe(link, [record.filter]), {
      clock: this.#o.clock,
      timeoutMs: options.timeoutMs ?? this.#o.subscribeTimeoutMs,
      signals: [options.signal],
      closing: this.#closing,
      topic: record.filter,
    });
  }
}

/** DISCONNECT, bounded: a link that does not finish within 1 s is destroyed. */
function endGracefully(mqtt: MqttClient, clock: ResolvedOptions['clock']): Promise<void> {
  // Everything pending was already rejected with CLOSED: drop it so MQTT.js sends DISCONNECT
  // now instead of waiting for acknowledgements that no one awaits any more.
  for (const id of Object.keys(mqtt.outgoing)) mqtt.removeOutgoingMessage(Number(id));
  return new Promise((resolve) => {
    const timer = clock.setTimeout(() => {
      mqtt.end(true);
      resolve();
    }, 1000);
    mqtt.end(false, {}, () => {
      clock.clearTimeout(timer);
      resolve();
    });
  });
}
