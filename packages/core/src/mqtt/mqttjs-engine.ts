import type { IClientOptions, MqttClient as MqttClientType } from 'mqtt';
import { intervalTimerFrom, systemClock } from '../util/clock.js';
import { fromMqttBytes, toMqttBytes } from './bytes.js';
import type {
  ConnackInfo,
  EngineConnectOptions,
  EngineMessage,
  MqttEngine,
  MqttLink,
  MqttLinkEvents,
  PublishProperties,
  PublishResult,
  SubackEntry,
  SubscribeRequest,
} from './mqtt-engine.js';
import { asDuplex } from './duplex-adapter.js';
import { LinkEmitter } from './link-emitter.js';
import { MqttClient } from './mqttjs-client.js';
import { MqttProtocolError } from './protocol-error.js';
import type { MqttStream } from '../transport.js';

/** MQTT.js's `message` packet, as far as we read it. */
interface MqttJsPublish {
  qos: 0 | 1 | 2;
  retain: boolean;
  dup?: boolean;
  messageId?: number;
  properties?: PublishProperties & { correlationData?: Uint8Array };
}

/**
 * The engine of record: MQTT.js's client over the transport's stream, with its own reconnect off
 * (`reconnectPeriod: 0`; every attempt is a new link, the client owns reconnecting and
 * resubscribing) and its keepalive on our clock.
 */
export const mqttJsEngine: MqttEngine = {
  name: 'mqtt.js',
  open(stream, options) {
    return new MqttJsLink(stream, options);
  },
};

/** One MQTT.js client as an {@link MqttLink}. */
class MqttJsLink extends LinkEmitter<MqttLinkEvents> implements MqttLink {
  readonly #mqtt: MqttClientType;
  /**
   * QoS 1 acknowledgements: MQTT.js emits `message`, then calls `handleMessage` and writes the
   * PUBACK only when that calls back. Ids acknowledged during `message` (the usual case) wait
   * here for their `handleMessage`; a `handleMessage` whose message nobody took yet waits for
   * `acknowledge()` (MQTT.js reads no further packet until then).
   */
  readonly #ackedEarly = new Set<number>();
  readonly #awaitingAck = new Map<number, () => void>();
  #pingOut = false;
  #closed = false;
  readonly #onPacket = (packet: { cmd: string }): void => {
    if (packet.cmd !== 'pingresp') return;
    this.#pingOut = false;
    this.#mqtt.off('packetreceive', this.#onPacket);
    this.emit('pingresp');
  };

  constructor(stream: MqttStream, options: EngineConnectOptions) {
    super();
    const mqttOptions: IClientOptions = {
      protocolVersion: options.protocolVersion,
      clientId: options.clientId,
      keepalive: options.keepaliveSeconds,
      clean: options.clean,
      reconnectPeriod: 0,
      connectTimeout: options.connectTimeoutMs,
      resubscribe: false,
      queueQoSZero: false,
      // On the real clock MQTT.js's own timer (setInterval) is the same time; only an injected
      // clock needs the adapter (a Map and closures per link).
      ...(options.clock === systemClock ? {} : { timerVariant: intervalTimerFrom(options.clock) }),
      ...(options.username === undefined ? {} : { username: options.username }),
      ...(options.password === undefined ? {} : { password: toPassword(options.password) }),
      ...(options.properties === undefined || options.protocolVersion !== 5
        ? {}
        : { properties: options.properties as IClientOptions['properties'] }),
    };
    const duplex = asDuplex(stream);
    const mqtt = new MqttClient(() => duplex, mqttOptions);
    this.#mqtt = mqtt;
    // MQTT.js calls its `debug` logger six or more times per received packet, and a disabled
    // `debug` still allocates its arguments and re-checks its namespaces each call: about a tenth
    // of MQTT.js's time per message in a CPU profile. With DEBUG not naming mqttjs when the link
    // opens, those calls go to a no-op (enabling it later applies to links opened later).
    if ((mqtt.log as { enabled?: unknown }).enabled !== true) mqtt.log = noop;
    mqtt.on('connect', (packet) => {
      const info: ConnackInfo = {
        sessionPresent: packet.sessionPresent === true,
        reasonCode: packet.reasonCode ?? packet.returnCode ?? 0,
        ...(packet.properties === undefined ? {} : { properties: packet.properties as ConnackInfo['properties'] }),
      };
      this.emit('connack', info);
    });
    mqtt.on('message', (topic: string, payload: Buffer, packet: MqttJsPublish) => {
      // Per message: one literal, optional fields added only when present (no object spreads).
      const message: { -readonly [K in keyof EngineMessage]: EngineMessage[K] } = {
        topic,
        payload: fromMqttBytes(payload),
        qos: packet.qos,
        retain: packet.retain,
        dup: packet.dup === true,
      };
      if (packet.messageId !== undefined) message.messageId = packet.messageId;
      if (packet.properties !== undefined) message.properties = packet.properties;
      this.emit('message', message);
    });
    mqtt.handleMessage = (packet, callback) => {
      const id = packet.messageId;
      if (packet.qos !== 1 || id === undefined || this.#ackedEarly.delete(id)) callback();
      else this.#awaitingAck.set(id, () => callback());
    };
    mqtt.on('disconnect', (packet) => {
      const properties = packet.properties;
      this.emit('disconnect', {
        reasonCode: packet.reasonCode ?? 0,
        ...(properties?.reasonString === undefined ? {} : { reasonString: properties.reasonString }),
        ...(properties?.userProperties === undefined ? {} : { userProperties: properties.userProperties }),
        ...(properties?.serverReference === undefined ? {} : { serverReference: properties.serverReference }),
      });
    });
    mqtt.on('error', (error) => {
      if (!isProtocolBreach(error)) {
        this.emit('error', error);
        return;
      }
      // mqtt-packet's parser, after an error, reads on from a stale position: the link would
      // stay up and hear nothing more. Any such error ends the link.
      this.emit('error', new MqttProtocolError(`MQTT protocol error: ${error.message}`, { cause: error }));
      this.destroy();
    });
    mqtt.on('close', () => {
      this.#closed = true;
      this.#ackedEarly.clear();
      this.#awaitingAck.clear();
      this.emit('close');
    });
    mqtt.stream.on('data', this.#onRead);
  }

  /**
   * Bytes on the stream: `received` once per batch of reads rather than per packet. The listener
   * takes itself off at the first chunk and comes back after the current task's microtasks,
   * so the chunks of one socket read (over a WebSocket, one per packet, all parsed in the same
   * task) cost one call, and the rest of the batch finds MQTT.js's pipe as the stream's only
   * `data` listener (with two, Node's emit copies the listener array for every chunk).
   */
  readonly #onRead = (): void => {
    const stream = this.#mqtt.stream;
    stream.off('data', this.#onRead);
    queueMicrotask(() => {
      if (!this.#closed && this.#mqtt.stream === stream) stream.on('data', this.#onRead);
    });
    this.emit('received');
  };

  get connected(): boolean {
    return this.#mqtt.connected;
  }

  subscribe(filters: readonly SubscribeRequest[]): Promise<SubackEntry[]> {
    const map: Record<string, { qos: 0 | 1 }> = {};
    for (const f of filters) map[f.filter] = { qos: f.qos };
    return new Promise((resolve, reject) => {
      this.#mqtt.subscribe(map, (error, granted) => {
        // MQTT.js reports any failure code in SUBACK as an error carrying the SUBACK packet.
        const codes = (error as { packet?: { granted?: unknown[] } } | null)?.packet?.granted;
        if (error && Array.isArray(codes)) {
          resolve(
            filters.map((f, i) => ({ filter: f.filter, reasonCode: typeof codes[i] === 'number' ? codes[i] : 0x80 })),
          );
        } else if (error) {
          reject(error);
        } else {
          const byFilter = new Map((granted ?? []).map((g) => [g.topic, g.qos as number]));
          resolve(filters.map((f) => ({ filter: f.filter, reasonCode: byFilter.get(f.filter) ?? f.qos })));
        }
      });
    });
  }

  unsubscribe(filters: readonly string[]): Promise<number[]> {
    return new Promise((resolve, reject) => {
      this.#mqtt.unsubscribe([...filters], (error, packet) => {
        if (error) reject(error);
        else resolve(unsubackCodes(packet));
      });
    });
  }

  publish(
    topic: string,
    payload: Uint8Array,
    options: { qos: 0 | 1; retain: boolean; properties?: PublishProperties },
  ): Promise<PublishResult> {
    return new Promise((resolve, reject) => {
      const publishOptions = {
        qos: options.qos,
        retain: options.retain,
        ...(options.properties === undefined ? {} : { properties: options.properties as never }),
      };
      this.#mqtt.publish(topic, toMqttBytes(payload), publishOptions, (error, packet) => {
        const reasonCode = (packet as { reasonCode?: number } | undefined)?.reasonCode;
        // MQTT.js turns a PUBACK reason code of 0x80 or more into an error with that `code`.
        const refused = (error as { code?: unknown } | null | undefined)?.code;
        if (error && typeof refused === 'number' && refused >= 0x80)
          resolve({ reasonCode: refused, reasonString: error.message });
        else if (error) reject(error);
        else resolve({ reasonCode: reasonCode ?? 0 });
      });
    });
  }

  acknowledge(messageId: number): void {
    if (this.#closed) return;
    const release = this.#awaitingAck.get(messageId);
    if (release === undefined) {
      this.#ackedEarly.add(messageId);
      return;
    }
    this.#awaitingAck.delete(messageId);
    release();
  }

  ping(): void {
    if (!this.#pingOut) {
      this.#pingOut = true;
      this.#mqtt.on('packetreceive', this.#onPacket);
    }
    this.#mqtt.sendPing();
  }

  end(options: { reasonCode?: number } = {}): Promise<void> {
    const mqtt = this.#mqtt;
    // Pending acknowledgements are dropped first (their promises reject) so MQTT.js does not wait for them.
    for (const id of Object.keys(mqtt.outgoing)) mqtt.removeOutgoingMessage(Number(id));
    return new Promise((resolve) => {
      mqtt.end(false, options.reasonCode === undefined ? {} : { reasonCode: options.reasonCode }, () => resolve());
    });
  }

  destroy(): void {
    this.#mqtt.off('packetreceive', this.#onPacket);
    this.#mqtt.end(true);
  }
}

const noop = (): void => undefined;

/**
 * An MQTT.js error that says the broker's bytes broke the protocol (mqtt-packet's parse errors,
 * an ack of the wrong type). Those carry no `code`, unlike refused CONNACKs and reason codes
 * (numeric) and socket errors (`ECONNRESET`, …); MQTT.js's own timeouts and a call made while
 * it disconnects carry none either and are not breaches.
 */
function isProtocolBreach(error: Error): boolean {
  if ((error as { code?: unknown }).code !== undefined) return false;
  return !/keepalive timeout|connack timeout|client disconnecting/i.test(error.message);
}

function unsubackCodes(packet: unknown): number[] {
  // mqtt-packet puts an MQTT 5 UNSUBACK's reason codes in `granted`.
  const codes =
    (packet as { granted?: unknown; reasonCode?: unknown } | undefined)?.granted ??
    (packet as { reasonCode?: unknown } | undefined)?.reasonCode;
  if (Array.isArray(codes)) return codes.filter((c): c is number => typeof c === 'number');
  return typeof codes === 'number' ? [codes] : [];
}

// MQTT.js takes a string or a Buffer; bytes become a Buffer where one exists (Node, or the
// polyfill bundled with MQTT.js in browsers), else UTF-8 text.
function toPassword(password: string | Uint8Array): string | Buffer {
  if (typeof password === 'string') return password;
  const NodeBuffer = (globalThis as { Buffer?: typeof Buffer }).Buffer;
  return NodeBuffer === undefined ? new TextDecoder().decode(password) : NodeBuffer.from(password);
}
