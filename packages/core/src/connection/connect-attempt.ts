import type { ConnackInfo, MqttLink } from '../mqtt/mqtt-engine.js';
import { ERROR_CODES, WebcommError } from '../errors.js';
import { classifyError } from './classify-error.js';
import { abortError } from '../util/deadline.js';
import { HeldMessages } from '../inbound/held-messages.js';
import type { ResolvedOptions } from '../options.js';

/** An established MQTT link, after CONNACK accepted. */
export interface OpenLink {
  readonly mqtt: MqttLink;
  readonly endpoint: string;
  readonly sessionPresent: boolean;
  /** The accepted CONNACK (reason code, MQTT 5 properties). */
  readonly connack: ConnackInfo;
  /** Messages that arrived since CONNACK; the link session releases them first. */
  readonly held: HeldMessages;
}

/**
 * {@link connectAttempt} given `connectTimeoutMs` to reach CONNACK: on the deadline, `controller`
 * aborts with a `TIMEOUT` error and the attempt tears down what it opened. Aborting `controller`
 * earlier (close, a newer attempt) ends it too.
 */
export async function connectWithin(
  options: ResolvedOptions,
  attempt: number,
  controller: AbortController,
): Promise<OpenLink> {
  const { clock, connectTimeoutMs } = options;
  const timer = clock.setTimeout(() => {
    controller.abort(
      new WebcommError(
        ERROR_CODES.TIMEOUT,
        `Connection attempt ${attempt} got no CONNACK within ${connectTimeoutMs} ms.`,
      ),
    );
  }, connectTimeoutMs);
  const stopTimer = (): void => clock.clearTimeout(timer);
  controller.signal.addEventListener('abort', stopTimer, { once: true });
  try {
    return await connectAttempt(options, attempt, controller.signal);
  } finally {
    stopTimer();
    controller.signal.removeEventListener('abort', stopTimer);
  }
}

/**
 * One connection attempt: asks the transport for a fresh link (fresh credentials or signed
 * URL), opens an MQTT link over it through the engine and waits for CONNACK. Rejects with a
 * classified `WebcommError` (fatal or transient); on abort, tears down whatever it opened.
 *
 * Every attempt is a new link on a new stream, so the client owns reconnect, backoff and
 * resubscription.
 */
export async function connectAttempt(
  options: ResolvedOptions,
  attempt: number,
  signal: AbortSignal,
): Promise<OpenLink> {
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
  logger.debug('mqtt connect', {
    endpoint: link.endpoint,
    attempt,
    transport: transport.name,
    engine: options.engine.name,
  });
  const stream = link.stream;
  const mqtt = options.engine.open(stream, {
    protocolVersion: options.protocolVersion,
    clientId: options.clientId,
    keepaliveSeconds: options.keepaliveSeconds,
    clean: options.clean,
    connectTimeoutMs: options.connectTimeoutMs,
    clock: options.clock,
    ...(options.sessionExpirySeconds === undefined
      ? {}
      : { properties: { sessionExpiryInterval: options.sessionExpirySeconds } }),
    ...(link.username === undefined ? {} : { username: link.username }),
    ...(link.password === undefined ? {} : { password: link.password }),
  });
  const held = new HeldMessages(mqtt);

  return new Promise<OpenLink>((resolve, reject) => {
    let lastError: unknown;
    const cleanup = (): void => {
      mqtt.off('connack', onConnect);
      mqtt.off('error', onError);
      mqtt.off('close', onClose);
      stream.off('error', onError);
      signal.removeEventListener('abort', onAbort);
    };
    const onConnect = (connack: ConnackInfo): void => {
      cleanup();
      resolve({ mqtt, endpoint: link.endpoint, sessionPresent: connack.sessionPresent, connack, held });
    };
    const onError = (error: unknown): void => {
      lastError = error;
    };
    const onClose = (): void => {
      cleanup();
      mqtt.destroy();
      reject(classifyError(lastError ?? new Error(`${link.endpoint} closed before CONNACK`), transport));
    };
    const onAbort = (): void => {
      cleanup();
      mqtt.destroy();
      stream.destroy();
      reject(abortError(signal, 'Connecting'));
    };
    mqtt.on('connack', onConnect);
    mqtt.on('error', onError);
    mqtt.on('close', onClose);
    // The stream's own error says most (a TLS alert naming a rejected certificate); an engine
    // need not re-emit every stream error, so listen to the stream too.
    stream.on('error', onError);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
