import type { MqttClient } from 'mqtt';
import { fromMqttBytes } from '../mqtt/bytes.js';
import { classifyError } from './classify-error.js';
import type { Clock } from '../util/clock.js';
import { DeadLinkWatchdog } from './dead-link-watchdog.js';
import { ERROR_CODES, WebcommError } from '../errors.js';
import type { ReceivedMessage } from '../events.js';
import type { HeldMessages, MqttMessageArgs } from '../inbound/held-messages.js';
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
 * watchdog (no packet for 1.5 × keepalive) to `onDown`. MQTT.js's `error` events are logged
 * and kept from throwing (an EventEmitter `error` without a listener would crash the process).
 */
export function startLinkSession(
  mqtt: MqttClient,
  endpoint: string,
  options: Pick<ResolvedOptions, 'keepaliveSeconds' | 'clock' | 'logger' | 'transport'>,
  callbacks: LinkCallbacks,
  held: HeldMessages,
): LinkSession {
  const { keepaliveSeconds, clock, logger, transport } = options;
  let down = false;
  let lastError: unknown;
  const fail = (error: WebcommError): void => {
    if (down) return;
    down = true;
    stop();
    callbacks.onDown(error);
  };
  const watchdog = new DeadLinkWatchdog(clock, keepaliveSeconds * 1500, (silentFor) =>
    fail(new WebcommError(ERROR_CODES.DEAD_LINK, `No data from ${endpoint} for ${silentFor} ms (1.5 × keepalive); replacing the link.`)),
  );
  const onMessage = (...[topic, payload, packet]: MqttMessageArgs): void =>
    callbacks.onMessage({
      topic,
      payload: fromMqttBytes(payload),
      qos: packet.qos,
      retain: packet.retain,
      ...(packet.messageId === undefined ? {} : { messageId: packet.messageId }),
      ...(packet.dup === true ? { dup: true } : {}),
    });
  // The close reason is the last error MQTT.js reported (e.g. its own keepalive timeout, a
  // socket reset, or what the transport classifies, such as a ban), else a plain close.
  const onClose = (): void =>
    fail(lastError === undefined ? new WebcommError(ERROR_CODES.NETWORK, `The link to ${endpoint} closed.`) : classifyError(lastError, transport));
  const onError = (error: unknown): void => {
    lastError = error;
    logger.debug('mqtt error', { endpoint, error });
  };
  // Any bytes received prove the link alive. Watching the stream's chunks rather than MQTT.js's
  // per-packet `packetreceive` costs one call per read instead of one per message (at high
  // rates a read holds many packets); a link's data always ends in whole packets anyway.
  const onData = (): void => watchdog.touch();
  const stream = mqtt.stream;
  const stop = (): void => {
    watchdog.stop();
    mqtt.off('message', onMessage);
    mqtt.off('close', onClose);
    stream.off('data', onData);
  };
  // Never removed: an EventEmitter 'error' without a listener would throw.
  mqtt.on('error', onError);
  mqtt.on('message', onMessage);
  mqtt.on('close', onClose);
  stream.on('data', onData);
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
 * Sends DISCONNECT and closes the link, bounded: a link that has not finished within
 * `boundMs` is destroyed. Pending acknowledgements are dropped first (their promises were
 * already settled) so MQTT.js does not wait for them.
 */
export function endGracefully(mqtt: MqttClient, clock: Clock, boundMs = 1000): Promise<void> {
  for (const id of Object.keys(mqtt.outgoing)) mqtt.removeOutgoingMessage(Number(id));
  return new Promise((resolve) => {
    const timer = clock.setTimeout(() => {
      mqtt.end(true);
      resolve();
    }, boundMs);
    mqtt.end(false, {}, () => {
      clock.clearTimeout(timer);
      resolve();
    });
  });
}
