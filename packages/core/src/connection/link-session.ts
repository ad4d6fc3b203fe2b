import type { DisconnectInfo, EngineMessage, MqttLink } from '../mqtt/mqtt-engine.js';
import { classifyDisconnect } from './classify-disconnect.js';
import { classifyError } from './classify-error.js';
import type { Clock } from '../util/clock.js';
import { DeadLinkWatchdog } from './dead-link-watchdog.js';
import { ERROR_CODES, WebcommError } from '../errors.js';
import type { ReceivedMessage } from '../events.js';
import type { HeldMessages } from '../inbound/held-messages.js';
import type { ResolvedOptions } from '../options.js';

/** What a live link reports to the client. */
export interface LinkCallbacks {
  onMessage(message: ReceivedMessage): void;
  /** The link ended (closed by either side, or declared dead). Called at most once. */
  onDown(error: WebcommError): void;
}

/** A live link's listeners and dead-link watchdog; `stop()` detaches them all. */
export interface LinkSession {
  stop(): void;
}

/**
 * Wires an established MQTT link: messages out to the router, `close` and the dead-link
 * watchdog (no packet for 1.5 × keepalive) to `onDown`. The engine's `error` events are logged
 * and kept from throwing (an EventEmitter `error` without a listener would crash the process).
 */
export function startLinkSession(
  mqtt: MqttLink,
  endpoint: string,
  options: Pick<ResolvedOptions, 'keepaliveSeconds' | 'clock' | 'logger' | 'transport'>,
  callbacks: LinkCallbacks,
  held: HeldMessages,
): LinkSession {
  const session = new LiveLinkSession(mqtt, endpoint, options, callbacks);
  // What arrived since CONNACK goes first; nothing can interleave (all synchronous). A link that
  // already closed delivers nothing: what it held was never acknowledged, so the broker resends it.
  if (mqtt.connected) held.release(session.onMessage);
  return session;
}

/**
 * One live link's session. A class with its listeners as fields (five closures on the
 * instance) rather than closures over a function's variables: it is kept for every connected
 * client, and the closure version held nine closures and their shared context.
 */
class LiveLinkSession implements LinkSession {
  readonly #mqtt: MqttLink;
  readonly #endpoint: string;
  readonly #options: Pick<ResolvedOptions, 'logger' | 'transport'>;
  readonly #callbacks: LinkCallbacks;
  readonly #watchdog: DeadLinkWatchdog;
  #down = false;
  #lastError: unknown;
  /** The server's own word on why it closes (MQTT 5 DISCONNECT): it beats any error after it. */
  #serverSaid: WebcommError | undefined;

  constructor(
    mqtt: MqttLink,
    endpoint: string,
    options: Pick<ResolvedOptions, 'keepaliveSeconds' | 'clock' | 'logger' | 'transport'>,
    callbacks: LinkCallbacks,
  ) {
    this.#mqtt = mqtt;
    this.#endpoint = endpoint;
    this.#options = options;
    this.#callbacks = callbacks;
    this.#watchdog = new DeadLinkWatchdog(options.clock, options.keepaliveSeconds * 1500, (silentFor) =>
      this.#fail(
        new WebcommError(
          ERROR_CODES.DEAD_LINK,
          `No data from ${endpoint} for ${silentFor} ms (1.5 × keepalive); replacing the link.`,
        ),
      ),
    );
    // Never removed: an EventEmitter 'error' without a listener would throw.
    mqtt.on('error', this.#onError);
    mqtt.on('message', this.onMessage);
    mqtt.on('close', this.#onClose);
    mqtt.on('disconnect', this.#onDisconnect);
    mqtt.on('received', this.#onData);
    this.#watchdog.start();
    // Closed between its CONNACK and now (a DISCONNECT or a malformed packet in the same read as
    // CONNACK): its `close` came before these listeners, so report it, once the caller has the session.
    if (!mqtt.connected) queueMicrotask(this.#onClose);
  }

  /**
   * Delivers one message, then acknowledges it if QoS 1: the PUBACK goes out only once the
   * delivery path has taken the message (also when a listener threw: it was delivered). A
   * message arriving after `stop()` finds no listener and is never acknowledged, so the broker
   * resends it on the next link of the session.
   */
  readonly onMessage = (message: EngineMessage): void => {
    try {
      this.#callbacks.onMessage(toReceived(message));
    } finally {
      if (message.qos === 1 && message.messageId !== undefined) this.#mqtt.acknowledge(message.messageId);
    }
  };

  // The close reason is the last error the engine reported (e.g. its own keepalive timeout, a
  // socket reset, or what the transport classifies, such as a ban), else a plain close.
  readonly #onClose = (): void =>
    this.#fail(
      this.#serverSaid ??
        (this.#lastError === undefined
          ? new WebcommError(ERROR_CODES.NETWORK, `The link to ${this.#endpoint} closed.`)
          : classifyError(this.#lastError, this.#options.transport)),
    );

  readonly #onDisconnect = (info: DisconnectInfo): void => {
    this.#serverSaid = classifyDisconnect(info, this.#endpoint);
    this.#options.logger.debug('server disconnect', { endpoint: this.#endpoint, reasonCode: info.reasonCode });
  };

  readonly #onError = (error: unknown): void => {
    this.#lastError = error;
    this.#options.logger.debug('mqtt error', { endpoint: this.#endpoint, error });
  };

  // Any bytes received prove the link alive: the engine's `received` comes once per read rather
  // than once per packet (at high rates a read holds many).
  readonly #onData = (): void => this.#watchdog.touch();

  stop(): void {
    this.#down = true;
    this.#detach();
  }

  #fail(error: WebcommError): void {
    if (this.#down) return;
    this.#down = true;
    this.#detach();
    this.#callbacks.onDown(error);
  }

  #detach(): void {
    this.#watchdog.stop();
    this.#mqtt.off('message', this.onMessage);
    this.#mqtt.off('close', this.#onClose);
    this.#mqtt.off('disconnect', this.#onDisconnect);
    this.#mqtt.off('received', this.#onData);
  }
}

/**
 * The client's view of a received PUBLISH: `messageId`, `dup` (only when set) and `properties`
 * appear only when there is one. Built without object spreads: this runs for every message, and
 * a QoS 0 message on MQTT 3.1.1 (the common case) is one four-property literal.
 */
function toReceived(message: EngineMessage): ReceivedMessage {
  const received: { -readonly [K in keyof ReceivedMessage]: ReceivedMessage[K] } = {
    topic: message.topic,
    payload: message.payload,
    qos: message.qos,
    retain: message.retain,
  };
  if (message.messageId !== undefined) received.messageId = message.messageId;
  if (message.dup) received.dup = true;
  if (message.properties !== undefined) received.properties = message.properties;
  return received;
}

/**
 * Sends DISCONNECT and closes the link, bounded: a link that has not finished within
 * `boundMs` is destroyed. The engine drops pending acknowledgements first (their promises were
 * already settled), so the close does not wait for them.
 */
export function endGracefully(mqtt: MqttLink, clock: Clock, boundMs = 1000): Promise<void> {
  return new Promise((resolve) => {
    const timer = clock.setTimeout(() => {
      mqtt.destroy();
      resolve();
    }, boundMs);
    void mqtt.end().then(() => {
      clock.clearTimeout(timer);
      resolve();
    });
  });
}
