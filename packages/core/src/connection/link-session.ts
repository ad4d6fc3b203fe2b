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
  const { keepaliveSeconds, clock, logger, transport } = options;
  let down = false;
  let lastError: unknown;
  /** The server's own word on why it closes (MQTT 5 DISCONNECT): it beats any error after it. */
  let serverSaid: WebcommError | undefined;
  const fail = (error: WebcommError): void => {
    if (down) return;
    down = true;
    stop();
    callbacks.onDown(error);
  };
  const watchdog = new DeadLinkWatchdog(clock, keepaliveSeconds * 1500, (silentFor) =>
    fail(new WebcommError(ERROR_CODES.DEAD_LINK, `No data from ${endpoint} for ${silentFor} ms (1.5 × keepalive); replacing the link.`)),
  );
  const onMessage = (message: EngineMessage): void => callbacks.onMessage(toReceived(message));
  // The close reason is the last error the engine reported (e.g. its own keepalive timeout, a
  // socket reset, or what the transport classifies, such as a ban), else a plain close.
  const onClose = (): void =>
    fail(
      serverSaid ??
        (lastError === undefined ? new WebcommError(ERROR_CODES.NETWORK, `The link to ${endpoint} closed.`) : classifyError(lastError, transport)),
    );
  const onDisconnect = (info: DisconnectInfo): void => {
    serverSaid = classifyDisconnect(info, endpoint);
    logger.debug('server disconnect', { endpoint, reasonCode: info.reasonCode });
  };
  const onError = (error: unknown): void => {
    lastError = error;
    logger.debug('mqtt error', { endpoint, error });
  };
  // Any bytes received prove the link alive: the engine's `received` comes once per read rather
  // than once per packet (at high rates a read holds many).
  const onData = (): void => watchdog.touch();
  const stop = (): void => {
    watchdog.stop();
    mqtt.off('message', onMessage);
    mqtt.off('close', onClose);
    mqtt.off('disconnect', onDisconnect);
    mqtt.off('received', onData);
  };
  // Never removed: an EventEmitter 'error' without a listener would throw.
  mqtt.on('error', onError);
  mqtt.on('message', onMessage);
  mqtt.on('close', onClose);
  mqtt.on('disconnect', onDisconnect);
  mqtt.on('received', onData);
  watchdog.start();
  // What arrived since CONNACK goes first; nothing can interleave (all synchronous).
  held.release(onMessage);
  return {
    stop() {
      down = true;
      stop();
    },
  };
}

/**
 * The client's view of a received PUBLISH: `messageId`, `dup` (only when set) and `properties`
 * appear only when there is one. Built without object spreads: this runs for every message, and
 * a QoS 0 message on MQTT 3.1.1 (the common case) is one four-property literal.
 */
function toReceived(message: EngineMessage): ReceivedMessage {
  const received: { -readonly [K in keyof ReceivedMessage]: ReceivedMessage[K] } = { topic: message.topic, payload: message.payload, qos: message.qos, retain: message.retain };
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
