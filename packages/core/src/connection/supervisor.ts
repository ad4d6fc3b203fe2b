import type { EventEmitter } from 'eventemitter3';
import type { MqttLink } from '../mqtt/mqtt-engine.js';
import { closedError, ERROR_CODES, WebcommError } from '../errors.js';
import type { WebcommClientEvents } from '../events.js';
import type { SubscriptionSync } from '../inbound/subscription-sync.js';
import type { SubscriptionRegistry } from '../inbound/subscriptions.js';
import type { ResolvedOptions } from '../options.js';
import type { BrokerOutbox, DetachCause } from '../outbound/broker-outbox.js';
import type { CloseSignal } from '../util/close-signal.js';
import { NamedTimers } from '../util/named-timers.js';
import type { OperationOptions } from '../util/deadline.js';
import { BanDetector } from './ban-detector.js';
import { isFromDisconnect } from './classify-disconnect.js';
import { attributeClose } from './close-attribution.js';
import { classifyError } from './classify-error.js';
import { connectWithin, type OpenLink } from './connect-attempt.js';
import { explainConnectTimeout } from './connect-timeout.js';
import { ConnectWaiters } from './connect-waiters.js';
import { CurrentLink } from './current-link.js';
import { endGracefully } from './link-session.js';
import { ReconnectSchedule } from './reconnect-schedule.js';
import { StateDoor, type ConnectionState } from './state.js';
import { takenOverError, TakeoverDetector } from './takeover.js';

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
 * field behind its door (`StateDoor`: the transition table in `state.ts`), which emits
 * `state` `{from, to, reason}`. The {@link WebcommClient} facade delegates to it.
 */
export class LinkSupervisor {
  readonly #o: ResolvedOptions;
  readonly #outbox: BrokerOutbox;
  readonly #sync: SubscriptionSync;
  readonly #closing: CloseSignal<WebcommError>;
  readonly #events: EventEmitter<WebcommClientEvents>;
  readonly #waiters: ConnectWaiters;
  readonly #state: StateDoor;
  /** The link while it is up, with its session and delivery. */
  readonly #current: CurrentLink;
  #attemptController: AbortController | undefined;
  readonly #schedule: ReconnectSchedule;
  /** `retry`: the backoff delay; `stable`: when a link counts as stable. */
  readonly #timers: NamedTimers<'retry' | 'stable'>;
  /** Connecting on behalf of `connect()` callers, before the first CONNACK. */
  #firstConnection = false;
  /** Tells another connection with our client ID taking over ours from ordinary drops. */
  readonly #takeovers: TakeoverDetector;
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
    this.#state = new StateDoor((change) => {
      this.#o.logger.info('state', {
        ...change,
        ...(change.error === undefined ? {} : { error: change.error.message }),
      });
      this.#events.emit('state', change);
    });
    this.#waiters = new ConnectWaiters(this.#o.clock, this.#closing);
    this.#schedule = new ReconnectSchedule(this.#o.backoff, this.#o.random);
    this.#bans = new BanDetector(this.#o, this.#closing);
    this.#takeovers = new TakeoverDetector(this.#o.takeoverWindowMs);
    this.#timers = new NamedTimers(this.#o.clock);
    this.#current = new CurrentLink(this.#o, parts.registry, this.#events);
  }

  /** The current connection state. */
  get state(): ConnectionState {
    return this.#state.current;
  }

  /** The MQTT link after CONNACK, while it is current. */
  get link(): MqttLink | undefined {
    return this.#current.mqtt;
  }

  /** Starts connecting (if not already) and resolves once connected; see {@link WebcommClient.connect}. */
  connect(options: OperationOptions): Promise<void> {
    if (this.#state.current === 'connected') return Promise.resolve();
    const wait = this.#waiters.wait(options.timeoutMs ?? this.#o.connectTimeoutMs, options.signal);
    if ((this.#state.current === 'idle' || this.#state.current === 'failed') && options.signal?.aborted !== true) {
      this.#schedule.markStable();
      this.#firstConnection = true;
      this.#lastFailure = undefined;
      this.#state.move('connect', 'connect');
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
    if (this.#state.current !== 'reconnecting' || !this.#timers.has('retry')) return;
    this.#timers.clear('retry');
    void this.#attempt();
  }

  /** Replaces the live link with a fresh one; see {@link WebcommClient.renewLink}. */
  renewLink(): void {
    const old = this.#current.mqtt;
    if (this.#state.current !== 'connected' || old === undefined) return;
    const reason = new WebcommError(ERROR_CODES.NETWORK, 'The link is being renewed with fresh connection material.');
    this.#dropLink();
    this.#events.emit('disconnected', { reason: 'renew', error: reason });
    this.#state.move('link-lost', 'renew', reason);
    void this.#attempt();
    // The new CONNECT takes over the client ID; end the old link without waiting for it.
    old.destroy();
  }

  /** Stops for good, ending the link gracefully; see {@link WebcommClient.close}. */
  async close(): Promise<void> {
    if (this.#state.current === 'closed') return;
    const link = this.#current.mqtt;
    this.#stop('close');
    if (link !== undefined) await endGracefully(link, this.#o.clock);
  }

  async #attempt(): Promise<void> {
    this.#timers.forget('retry');
    const attempt = this.#schedule.nextAttempt;
    const controller = new AbortController();
    this.#attemptController = controller;
    let open: OpenLink;
    try {
      open = await connectWithin(this.#o, attempt, controller);
    } catch (error) {
      if (this.#attemptController !== controller) return;
      const failure = await this.#bans.explain(classifyError(error, this.#o.transport), attempt);
      // close() or a new connect() may have come while the service was asked.
      if (this.#attemptController === controller) this.#onFailure(failure);
      return;
    }
    if (this.#attemptController !== controller) {
      open.mqtt.destroy();
      return;
    }
    await this.#onLinkUp(open, attempt, controller);
  }

  async #onLinkUp(open: OpenLink, attempt: number, controller: AbortController): Promise<void> {
    const { mqtt, endpoint, sessionPresent } = open;
    this.#current.start(open, (error) => this.#onLinkDown(mqtt, error));
    try {
      await this.#sync.restore(mqtt, controller.signal, (error) => this.#events.emit('error', error));
    } catch (error) {
      this.#onLinkDown(mqtt, classifyError(error, this.#o.transport));
      return;
    }
    if (this.#current.mqtt !== mqtt) return;
    // The attempt is over: its controller (and its signal's listeners) is not kept for the link's life.
    if (this.#attemptController === controller) this.#attemptController = undefined;
    this.#firstConnection = false;
    this.#lastFailure = undefined;
    this.#bans.linkUp();
    this.#takeovers.linkUp(this.#o.clock.now());
    this.#state.move('connected', attempt === 1 ? 'connack' : 'reconnected');
    this.#outbox.attach(mqtt);
    this.#timers.set('stable', this.#o.stableAfterMs, () => this.#schedule.markStable());
    this.#events.emit('connected', { sessionPresent, endpoint, attempt });
    this.#waiters.resolveAll();
  }

  #onLinkDown(mqtt: MqttLink, error: WebcommError): void {
    if (this.#current.mqtt !== mqtt) return;
    const wasConnected = this.#state.current === 'connected';
    // The server's DISCONNECT reason code (MQTT 5) says why; only a bare close is guessed at.
    const explained = isFromDisconnect(error);
    if (wasConnected && explained && error.code === ERROR_CODES.TAKEN_OVER) {
      this.#serverTookOver(error);
      return;
    }
    const now = this.#o.clock.now();
    const close = attributeClose(error, explained, this.#sync, this.#outbox, now);
    // MQTT 5 servers say "taken over" (0x8E), so there the heuristic stays off.
    if (this.#o.protocolVersion === 5) this.#takeovers.reset();
    else if (wasConnected && !close.attributed) {
      const count = this.#takeovers.linkLost(error, now);
      if (count !== undefined && this.#reportTakeover(count, error, false)) return;
    }
    const verdict = close.attributed ? this.#sync.linkClosed(now, close.publishesInFlight) : undefined;
    this.#dropLink(close)?.destroy();
    for (const { filter, drops } of verdict?.refused ?? [])
      this.#events.emit('error', this.#sync.refuse(filter, drops));
    if (wasConnected) this.#events.emit('disconnected', { reason: error.code, error });
    if (wasConnected && !error.fatal) {
      this.#state.move('link-lost', 'link-lost', error);
      const upMs = this.#takeovers.upFor(this.#o.clock.now());
      if (error.code === ERROR_CODES.KICKED) void this.#afterKick(error, upMs);
      else this.#scheduleRetry(error, upMs);
    } else {
      this.#onFailure(error);
    }
  }

  /** A kick (MQTT 5 DISCONNECT 0x98) may be a ban: a client that knows its service asks it and stops with `BANNED` if so, else reconnects. */
  async #afterKick(error: WebcommError, upMs: number): Promise<void> {
    const controller = new AbortController();
    this.#attemptController = controller;
    const verdict = await this.#bans.explain(error, 1);
    // close(), connect() or retryNow() may have come while the service was asked.
    if (this.#attemptController !== controller || this.#state.current !== 'reconnecting') return;
    this.#attemptController = undefined;
    if (verdict.code === ERROR_CODES.BANNED) this.#onFailure(verdict);
    else this.#scheduleRetry(error, upMs);
  }

  /**
   * The server said the session was taken over (MQTT 5 DISCONNECT 0x8E): reported at once. `'backoff'`
   * reconnects, counting a failure so two processes sharing a client ID back off, not flap.
   */
  #serverTookOver(error: WebcommError): void {
    if (this.#reportTakeover(this.#takeovers.confirmed(), error, true)) return;
    this.#dropLink()?.destroy();
    this.#events.emit('disconnected', { reason: error.code, error });
    this.#state.move('link-lost', 'taken-over', error);
    this.#scheduleRetry(error);
  }

  /** Reports the `count`th takeover in a row (`confirmed` by the server, or seen by the detector); with `onTakeover: 'stop'`, stops and returns true. */
  #reportTakeover(count: number, cause: WebcommError, confirmed: boolean): boolean {
    const action = this.#o.onTakeover;
    this.#events.emit('takenOver', { count, action });
    if (action === 'backoff') return false;
    const takenOver = takenOverError(cause, this.#o.clientId, confirmed);
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
    this.#state.move('attempt-failed', 'attempt-failed', error);
    this.#scheduleRetry(error);
  }

  /** Schedules the next attempt; `linkUpMs` is how long the link just lost had been up. */
  #scheduleRetry(error: WebcommError, linkUpMs?: number): void {
    this.#lastFailure = error;
    const { attempt, delayMs } = this.#schedule.after(error, linkUpMs, this.#o.takeoverWindowMs);
    this.#o.logger.info('reconnecting', { attempt, delayMs, error: error.message });
    this.#timers.set('retry', delayMs, () => void this.#attempt());
    this.#events.emit('reconnecting', { attempt, delayMs, error });
  }

  /** Detaches the current link and its timers; unacknowledged publishes go back to the queue. */
  #dropLink(cause?: DetachCause): MqttLink | undefined {
    const mqtt = this.#current.end();
    this.#sync.linkReplaced();
    // The attempt that made this link may still be restoring subscriptions: stop it.
    if (mqtt !== undefined)
      this.#attemptController?.abort(new WebcommError(ERROR_CODES.NETWORK, 'The link was dropped.'));
    this.#timers.clear('stable');
    this.#outbox.detach(cause);
    return mqtt;
  }

  /** Stops every attempt and timer, then moves to `failed`, `idle` or `closed`. */
  #stop(event: 'fatal' | 'cancel' | 'close', error?: WebcommError): void {
    const reason = error ?? closedError();
    this.#timers.clear('retry');
    const controller = this.#attemptController;
    this.#attemptController = undefined;
    controller?.abort(reason);
    const mqtt = this.#dropLink();
    // close() ends the link gracefully itself; the other paths cut it now.
    if (event !== 'close') mqtt?.destroy();
    if (event !== 'cancel') this.#outbox.closeAll(reason);
    if (event === 'close') this.#closing.close(reason);
    this.#state.move(event, event, error);
    this.#waiters.rejectAll(reason);
  }
}
