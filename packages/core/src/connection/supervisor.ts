import type { EventEmitter } from 'eventemitter3';
import type { MqttLink } from '../mqtt/mqtt-engine.js';
import { closedError, ERROR_CODES, WebcommError } from '../errors.js';
import type { WebcommClientEvents } from '../events.js';
import { MessageDelivery } from '../inbound/message-delivery.js';
import { REFUSAL_WINDOW_MS } from '../inbound/refusal-tracker.js';
import type { SubscriptionSync } from '../inbound/subscription-sync.js';
import type { SubscriptionRegistry } from '../inbound/subscriptions.js';
import type { ResolvedOptions } from '../options.js';
import type { BrokerOutbox, DetachCause } from '../outbound/broker-outbox.js';
import type { CloseSignal } from '../util/close-signal.js';
import { NamedTimers } from '../util/named-timers.js';
import { withDeadline, type OperationOptions } from '../util/deadline.js';
import { BanDetector } from './ban-detector.js';
import { isFromDisconnect } from './classify-disconnect.js';
import { classifyError } from './classify-error.js';
import { connectAttempt, type OpenLink } from './connect-attempt.js';
import { explainConnectTimeout } from './connect-timeout.js';
import { endGracefully, startLinkSession, type LinkSession } from './link-session.js';
import { ReconnectSchedule } from './reconnect-schedule.js';
import { nextState, type ConnectionEvent, type ConnectionState } from './state.js';
import { TakeoverDetector } from './takeover.js';

/** What the supervisor works with: the client's parts it drives, and the emitter it reports on. */
export interface SupervisorParts {
  readonly options: ResolvedOptions;
  readonly registry: SubscriptionRegistry;
  readonly outbox: BrokerOutbox;
  readonly sync: SubscriptionSync;
  readonly closing: CloseSignal<WebcommError>;
  readonly events: EventEmitter<WebcommClientEvents>;
}

/**
 * The connection's lifecycle: connect attempts with their timeout, the link while it is up,
 * reconnecting with backoff, takeover and ban detection, and stopping. It owns the one state
 * field and changes it only through `#setState` (the transition table in `state.ts`), which
 * emits `state` `{from, to, reason}`. The {@link WebcommClient} facade delegates to it.
 */
export class LinkSupervisor {
  readonly #o: ResolvedOptions;
  readonly #outbox: BrokerOutbox;
  readonly #sync: SubscriptionSync;
  readonly #closing: CloseSignal<WebcommError>;
  readonly #events: EventEmitter<WebcommClientEvents>;
  readonly #waiters = new Set<{ resolve: () => void; reject: (e: WebcommError) => void }>();
  #state: ConnectionState = 'idle';
  #link: MqttLink | undefined;
  #session: LinkSession | undefined;
  #attemptController: AbortController | undefined;
  readonly #schedule: ReconnectSchedule;
  /** `attempt`: its CONNACK timeout; `retry`: the backoff delay; `stable`: when a link counts as stable. */
  readonly #timers: NamedTimers<'attempt' | 'retry' | 'stable'>;
  /** Connecting on behalf of `connect()` callers, before the first CONNACK. */
  #firstConnection = false;
  /** Tells another connection with our client ID taking over ours from ordinary drops. */
  readonly #takeovers: TakeoverDetector;
  /** Takes what a link receives to the handlers, without redeliveries. */
  readonly #delivery: MessageDelivery;
  /** What ended the last attempt or link since the last connection, for connect timeouts. */
  #lastFailure: WebcommError | undefined;
  /** Tells a ban from other refusals by asking the service (`statusCheck`). */
  readonly #bans: BanDetector;

  constructor(parts: SupervisorParts) {
    this.#o = parts.options;
    this.#outbox = parts.outbox;
    this.#sync = parts.sync;
    this.#closing = parts.closing;
    this.#events = parts.events;
    this.#schedule = new ReconnectSchedule(this.#o.backoff, this.#o.random);
    this.#bans = new BanDetector(this.#o, this.#closing);
    this.#takeovers = new TakeoverDetector(this.#o.takeoverWindowMs);
    this.#timers = new NamedTimers(this.#o.clock);
    this.#delivery = new MessageDelivery(this.#o, parts.registry, this.#events);
  }

  /** The current connection state. */
  get state(): ConnectionState {
    return this.#state;
  }

  /** The MQTT link after CONNACK, while it is current. */
  get link(): MqttLink | undefined {
    return this.#link;
  }

  /** Starts connecting (if not already) and resolves once connected; see {@link WebcommClient.connect}. */
  connect(options: OperationOptions): Promise<void> {
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

  /** Skips the backoff delay; see {@link WebcommClient.retryNow}. */
  retryNow(): void {
    if (this.#state !== 'reconnecting' || !this.#timers.has('retry')) return;
    this.#timers.clear('retry');
    void this.#attempt();
  }

  /** Replaces the live link with a fresh one; see {@link WebcommClient.renewLink}. */
  renewLink(): void {
    const old = this.#link;
    if (this.#state !== 'connected' || old === undefined) return;
    const reason = new WebcommError(ERROR_CODES.NETWORK, 'The link is being renewed with fresh connection material.');
    this.#dropLink();
    this.#events.emit('disconnected', { reason: 'renew', error: reason });
    this.#setState('link-lost', 'renew', reason);
    void this.#attempt();
    // The new CONNECT takes over the client ID; end the old link without waiting for it.
    old.destroy();
  }

  /** Stops for good, ending the link gracefully; see {@link WebcommClient.close}. */
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
    this.#events.emit('state', { from, to, reason, ...(error === undefined ? {} : { error }) });
  }

  async #attempt(): Promise<void> {
    this.#timers.forget('retry');
    const attempt = this.#schedule.nextAttempt;
    const controller = new AbortController();
    this.#attemptController = controller;
    this.#timers.set('attempt', this.#o.connectTimeoutMs, () => {
      const message = `Connection attempt ${attempt} got no CONNACK within ${this.#o.connectTimeoutMs} ms.`;
      controller.abort(new WebcommError(ERROR_CODES.TIMEOUT, message));
    });
    let open: OpenLink;
    try {
      open = await connectAttempt(this.#o, attempt, controller.signal);
    } catch (error) {
      if (this.#attemptController !== controller) return;
      this.#timers.clear('attempt');
      const failure = await this.#bans.explain(classifyError(error, this.#o.transport), attempt);
      // close() or a new connect() may have come while the service was asked.
      if (this.#attemptController === controller) this.#onFailure(failure);
      return;
    }
    if (this.#attemptController !== controller) {
      open.mqtt.destroy();
      return;
    }
    this.#timers.clear('attempt');
    await this.#onLinkUp(open, attempt, controller);
  }

  async #onLinkUp({ mqtt, endpoint, sessionPresent, held }: OpenLink, attempt: number, controller: AbortController): Promise<void> {
    this.#link = mqtt;
    this.#session = startLinkSession(mqtt, endpoint, this.#o, {
      onMessage: this.#delivery.linkStarted(mqtt, sessionPresent),
      onDown: (error) => this.#onLinkDown(mqtt, error),
    }, held);
    try {
      await this.#sync.restore(mqtt, controller.signal, (error) => this.#events.emit('error', error));
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
    this.#timers.set('stable', this.#o.stableAfterMs, () => this.#schedule.markStable());
    this.#events.emit('connected', { sessionPresent, endpoint, attempt });
    for (const waiter of this.#waiters) waiter.resolve();
    this.#waiters.clear();
  }

  #onLinkDown(mqtt: MqttLink, error: WebcommError): void {
    if (this.#link !== mqtt) return;
    const wasConnected = this.#state === 'connected';
    // The server's DISCONNECT reason code (MQTT 5) says why; only a bare close is guessed at.
    const explained = isFromDisconnect(error);
    if (wasConnected && explained && error.code === ERROR_CODES.TAKEN_OVER) {
      this.#serverTookOver(error);
      return;
    }
    // A close while SUBSCRIBEs or QoS 1 publishes wait for their answer may be the broker
    // refusing one of them (IoT Core on MQTT 3.1.1): attributed to them, not to a takeover.
    const now = this.#o.clock.now();
    const subscribesInFlight = this.#sync.inFlight(now);
    const publishesInFlight = this.#outbox.awaitingAck(REFUSAL_WINDOW_MS);
    const mayBeRefusal = !explained && !error.fatal && error.code !== ERROR_CODES.DEAD_LINK && subscribesInFlight + publishesInFlight > 0;
    // MQTT 5 servers say "taken over" (0x8E), so there the heuristic stays off.
    if (this.#o.protocolVersion === 5) this.#takeovers.reset();
    else if (wasConnected && !mayBeRefusal && this.#tookOver(error)) return;
    const verdict = mayBeRefusal ? this.#sync.linkClosed(now, publishesInFlight) : undefined;
    this.#dropLink({ attributed: mayBeRefusal, subscribesInFlight, windowMs: REFUSAL_WINDOW_MS })?.destroy();
    for (const { filter, drops } of verdict?.refused ?? []) this.#events.emit('error', this.#sync.refuse(filter, drops));
    if (wasConnected) this.#events.emit('disconnected', { reason: error.code, error });
    if (wasConnected && !error.fatal) {
      this.#setState('link-lost', 'link-lost', error);
      const upMs = this.#takeovers.upFor(this.#o.clock.now());
      if (error.code === ERROR_CODES.KICKED) void this.#afterKick(error, upMs);
      else this.#scheduleRetry(error, upMs);
    } else {
      this.#onFailure(error);
    }
  }

  /**
   * A kick (MQTT 5 DISCONNECT 0x98) is how a ban ends a live link: a client that knows its service
   * asks it first, and stops with `BANNED` when it says so; otherwise it reconnects as after any
   * lost link.
   */
  async #afterKick(error: WebcommError, upMs: number): Promise<void> {
    const controller = new AbortController();
    this.#attemptController = controller;
    const verdict = await this.#bans.explain(error, 1);
    // close(), connect() or retryNow() may have come while the service was asked.
    if (this.#attemptController !== controller || this.#state !== 'reconnecting') return;
    this.#attemptController = undefined;
    if (verdict.code === ERROR_CODES.BANNED) this.#onFailure(verdict);
    else this.#scheduleRetry(error, upMs);
  }

  /**
   * The server said another connection took the session over (MQTT 5 DISCONNECT 0x8E): a
   * takeover for certain, reported at once. `'stop'` ends in `failed`; `'backoff'` reconnects,
   * counting it as a failure so two processes sharing a client ID back off instead of flapping.
   */
  #serverTookOver(error: WebcommError): void {
    const count = this.#takeovers.confirmed();
    const action = this.#o.onTakeover;
    this.#events.emit('takenOver', { count, action });
    this.#dropLink()?.destroy();
    if (action === 'stop') {
      const takenOver = new WebcommError(ERROR_CODES.TAKEN_OVER, `${error.message} Stopped (onTakeover: 'stop').`, { fatal: true, cause: error });
      this.#events.emit('disconnected', { reason: takenOver.code, error: takenOver });
      this.#stop('fatal', takenOver);
      this.#events.emit('error', takenOver);
      return;
    }
    this.#events.emit('disconnected', { reason: error.code, error });
    this.#setState('link-lost', 'taken-over', error);
    this.#scheduleRetry(error);
  }

  /** Reports a takeover (see TakeoverDetector) and acts on it. Returns true when it stopped. */
  #tookOver(error: WebcommError): boolean {
    const count = this.#takeovers.linkLost(error, this.#o.clock.now());
    if (count === undefined) return false;
    const action = this.#o.onTakeover;
    this.#events.emit('takenOver', { count, action });
    if (action === 'backoff') return false;
    const takenOver = new WebcommError(
      ERROR_CODES.TAKEN_OVER,
      `Another connection with client ID "${this.#o.clientId}" keeps taking this one over; stopped. Give every process its own client ID.`,
      { fatal: true, cause: error },
    );
    this.#dropLink()?.destroy();
    this.#events.emit('disconnected', { reason: takenOver.code, error: takenOver });
    this.#stop('fatal', takenOver);
    this.#events.emit('error', takenOver);
    return true;
  }

  #onFailure(error: WebcommError): void {
    if (error.fatal) {
      this.#stop('fatal', error);
      this.#events.emit('error', error);
      return;
    }
    this.#setState('attempt-failed', 'attempt-failed', error);
    this.#scheduleRetry(error);
  }

  /** Schedules the next attempt; `linkUpMs` is how long the link just lost had been up. */
  #scheduleRetry(error: WebcommError, linkUpMs?: number): void {
    this.#lastFailure = error;
    // Over quota (THROTTLED): back off further than any other failure, see throttledDelay.
    const { attempt, delayMs } =
      error.code === ERROR_CODES.THROTTLED
        ? this.#schedule.throttled()
        : linkUpMs === undefined
          ? this.#schedule.fail()
          : this.#schedule.linkLost(linkUpMs, this.#o.takeoverWindowMs);
    this.#o.logger.info('reconnecting', { attempt, delayMs, error: error.message });
    this.#timers.set('retry', delayMs, () => void this.#attempt());
    this.#events.emit('reconnecting', { attempt, delayMs, error });
  }

  /** Detaches the current link and its timers; unacknowledged publishes go back to the queue. */
  #dropLink(cause?: DetachCause): MqttLink | undefined {
    const mqtt = this.#link;
    this.#link = undefined;
    this.#sync.linkReplaced();
    // The attempt that made this link may still be restoring subscriptions: stop it.
    if (mqtt !== undefined) this.#attemptController?.abort(new WebcommError(ERROR_CODES.NETWORK, 'The link was dropped.'));
    this.#session?.stop();
    this.#session = undefined;
    this.#delivery.linkStopped();
    this.#timers.clear('stable');
    this.#outbox.detach(cause);
    return mqtt;
  }

  /** Stops every attempt and timer, then moves to `failed`, `idle` or `closed`. */
  #stop(event: 'fatal' | 'cancel' | 'close', error?: WebcommError): void {
    const reason = error ?? closedError();
    this.#timers.clear('attempt');
    this.#timers.clear('retry');
    const controller = this.#attemptController;
    this.#attemptController = undefined;
    controller?.abort(reason);
    const mqtt = this.#dropLink();
    // close() ends the link gracefully itself; the other paths cut it now.
    if (event !== 'close') mqtt?.destroy();
    if (event !== 'cancel') this.#outbox.closeAll(reason);
    if (event === 'close') this.#closing.close(reason);
    this.#setState(event, event, error);
    for (const waiter of this.#waiters) waiter.reject(reason);
    this.#waiters.clear();
  }
}
