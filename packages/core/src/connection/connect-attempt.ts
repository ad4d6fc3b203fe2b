import type { IClientOptions, MqttClient as MqttClientType } from 'mqtt';
import { MqttClient } from '../mqtt/mqtt-engine.js';
import { classifyError } from './classify-error.js';
import { intervalTimerFrom } from '../util/clock.js';
import { abortError } from '../util/deadline.js';
import { HeldMessages } from '../inbound/held-messages.js';
import type { ResolvedOptions } from '../options.js';

/** An established MQTT link, after CONNACK accepted. */
export interface OpenLink {
  readonly mqtt: MqttClientType;
  readonly endpoint: string;
  readonly sessionPresent: boolean;
  /** Messages that arrived since CONNACK; the link session releases them first. */
  readonly held: HeldMessages;
}

/**
 * One connection attempt: asks the transport for a fresh link (fresh credentials or signed
 * URL), speaks CONNECT over it and waits for CONNACK. Rejects with a classified
 * `WebcommError` (fatal or transient); on abort, tears down whatever it opened.
 *
 * MQTT.js's own reconnect is off (`reconnectPeriod: 0`): every attempt is a new MqttClient
 * on a new stream, so the client owns reconnect, backoff and resubscription.
 */
export async function connectAttempt(options: ResolvedOptions, attempt: number, signal: AbortSignal): Promise<OpenLink> {
  const { transport, logger } = options;
  let link;
  try {
    link = await transport.open({ attempt, clientId: options.clientId, signal });
  } catch (error) {
    throw signal.aborted ? abortError(signal, 'Connecting') : classifyError(error, transport);
  }
  if (signal.aborted) {
    link.stream.destroy();
    throw abortError(signal, 'Connecting');
  }
  logger.debug('mqtt connect', { endpoint: link.endpoint, attempt, transport: transport.name });
  const stream = link.stream;
  const mqttOptions: IClientOptions = {
    protocolVersion: options.protocolVersion,
    clientId: options.clientId,
    keepalive: options.keepaliveSeconds,
    clean: options.clean,
    reconnectPeriod: 0,
    connectTimeout: options.connectTimeoutMs,
    resubscribe: false,
    queueQoSZero: false,
    subscribeBatchSize: options.limits.maxFiltersPerSubscribe,
    // Keepalive pings follow the injected clock (tests advance time instead of sleeping).
    timerVariant: intervalTimerFrom(options.clock),
    ...(link.username === undefined ? {} : { username: link.username }),
    ...(link.password === undefined ? {} : { password: toPassword(link.password) }),
  };
  const mqtt = new MqttClient(() => stream, mqttOptions);
  const held = new HeldMessages(mqtt);

  return new Promise<OpenLink>((resolve, reject) => {
    let lastError: unknown;
    const cleanup = (): void => {
      mqtt.off('connect', onConnect);
      mqtt.off('error', onError);
      mqtt.off('close', onClose);
      stream.off('error', onError);
      signal.removeEventListener('abort', onAbort);
    };
    const onConnect = (packet: { sessionPresent?: boolean }): void => {
      cleanup();
      resolve({ mqtt, endpoint: link.endpoint, sessionPresent: packet.sessionPresent === true, held });
    };
    const onError = (error: unknown): void => {
      lastError = error;
    };
    const onClose = (): void => {
      cleanup();
      mqtt.end(true);
      reject(classifyError(lastError ?? new Error(`${link.endpoint} closed before CONNACK`), transport));
    };
    const onAbort = (): void => {
      cleanup();
      mqtt.end(true);
      stream.destroy();
      reject(abortError(signal, 'Connecting'));
    };
    mqtt.on('connect', onConnect);
    mqtt.on('error', onError);
    mqtt.on('close', onClose);
    // The stream's own error says most (a TLS alert naming a rejected certificate); MQTT.js does
    // not re-emit every stream error, so listen to the stream too.
    stream.on('error', onError);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

// MQTT.js takes a string or a Buffer; bytes become a Buffer where one exists (Node, or the
// polyfill bundled with MQTT.js in browsers), else UTF-8 text.
function toPassword(password: string | Uint8Array): string | Buffer {
  if (typeof password === 'string') return password;
  const NodeBuffer = (globalThis as { Buffer?: typeof Buffer }).Buffer;
  return NodeBuffer === undefined ? new TextDecoder().decode(password) : NodeBuffer.from(password);
}
