import type { MqttStream } from '../transport.js';
import type { Clock, TimerHandle } from '../util/clock.js';
import { decodePacket } from './codec/decode-packet.js';
import { ConnackError } from './connack-error.js';
import { encodePacket } from './codec/encode-packet.js';
import { PacketFramer } from './codec/packet-framer.js';
import { LinkEmitter } from './link-emitter.js';
import { PendingAcks, type AckType } from './pending-acks.js';
import { MqttProtocolError } from './protocol-error.js';
import type { Packet, Properties } from './codec/packets.js';
import type {
  ConnackInfo,
  EngineConnectOptions,
  MqttEngine,
  MqttLink,
  MqttLinkEvents,
  PublishProperties,
  PublishResult,
  SubackEntry,
  SubscribeRequest,
} from './mqtt-engine.js';

/**
 * The lean engine: our own MQTT 3.1.1 and 5 client on `Uint8Array` (the codec in `codec/`,
 * property-tested against mqtt-packet), QoS 0 and 1, keepalive, over any {@link MqttStream}.
 * About 4 KB min+gz against MQTT.js's ~80 KB (which needs Node's stream and Buffer polyfills in
 * a browser), and 4.3x its delivery rate on TCP: the default engine on every platform. No will
 * message and no QoS 2 (IoT Core has no QoS 2); a QoS 2 PUBLISH from the broker is a protocol error.
 */
export const leanEngine: MqttEngine = {
  name: 'lean',
  open(stream, options) {
    return new LeanLink(stream, options);
  },
};

/** One MQTT connection over one stream. */
class LeanLink extends LinkEmitter<MqttLinkEvents> implements MqttLink {
  readonly #stream: MqttStream;
  readonly #clock: Clock;
  readonly #version: 4 | 5;
  readonly #keepaliveMs: number;
  readonly #framer = new PacketFramer((header, body) => this.#onPacket(header, body));
  /** Operations waiting for their acknowledgement, by packet id. */
  readonly #pending = new PendingAcks();
  #connected = false;
  #closed = false;
  #lastWriteAt = 0;
  #pingOut = false;
  #timer: TimerHandle | undefined;
  /** QoS 0 publishes waiting for the backed-up stream to drain. */
  #backlog: { readonly promise: Promise<void>; readonly settle: (error?: Error) => void } | undefined;

  constructor(stream: MqttStream, options: EngineConnectOptions) {
    super();
    this.#stream = stream;
    this.#clock = options.clock;
    this.#version = options.protocolVersion;
    this.#keepaliveMs = options.keepaliveSeconds * 1000;
    stream.on('data', this.#onData);
    stream.on('error', this.#onError);
    stream.on('close', this.#onClose);
    const password =
      typeof options.password === 'string' ? new TextEncoder().encode(options.password) : options.password;
    this.#write({
      cmd: 'connect',
      protocolId: 'MQTT',
      protocolVersion: options.protocolVersion,
      clean: options.clean,
      keepalive: options.keepaliveSeconds,
      clientId: options.clientId,
      ...(options.username === undefined ? {} : { username: options.username }),
      ...(password === undefined ? {} : { password }),
      ...(options.properties === undefined ? {} : { properties: options.properties as Properties }),
    });
    this.#arm(options.connectTimeoutMs, () =>
      this.#fail(new Error(`No CONNACK within ${options.connectTimeoutMs} ms (connack timeout)`)),
    );
  }

  get connected(): boolean {
    return this.#connected;
  }

  subscribe(filters: readonly SubscribeRequest[]): Promise<SubackEntry[]> {
    return this.#request('suback', (messageId) => ({
      cmd: 'subscribe',
      messageId,
      subscriptions: filters.map((f) => ({ topic: f.filter, qos: f.qos })),
    })).then((packet) => {
      const granted = packet.cmd === 'suback' ? packet.granted : [];
      return filters.map((f, i) => ({ filter: f.filter, reasonCode: granted[i] ?? 0x80 }));
    });
  }

  unsubscribe(filters: readonly string[]): Promise<number[]> {
    return this.#request('unsuback', (messageId) => ({
      cmd: 'unsubscribe',
      messageId,
      unsubscriptions: [...filters],
    })).then((packet) => (packet.cmd === 'unsuback' ? (packet.granted ?? []) : []));
  }

  publish(
    topic: string,
    payload: Uint8Array,
    options: { qos: 0 | 1; retain: boolean; properties?: PublishProperties },
  ): Promise<PublishResult> {
    const base = {
      cmd: 'publish' as const,
      topic,
      payload,
      qos: options.qos,
      dup: false,
      retain: options.retain,
      ...(options.properties === undefined ? {} : { properties: options.properties as Properties }),
    };
    if (options.qos === 0) {
      if (!this.#connected) return Promise.reject(new Error('Not connected'));
      // Settled once the stream took it: when it is backed up, once it has drained, so a
      // sender awaiting each publish cannot pile bytes up faster than the link carries them.
      return this.#write(base) ? Promise.resolve({ reasonCode: 0 }) : this.#drained().then(() => ({ reasonCode: 0 }));
    }
    return this.#request('puback', (messageId) => ({ ...base, messageId })).then((packet) => {
      const reasonCode = packet.cmd === 'puback' ? (packet.reasonCode ?? 0) : 0;
      const reasonString = packet.cmd === 'puback' ? packet.properties?.reasonString : undefined;
      return reasonString === undefined ? { reasonCode } : { reasonCode, reasonString };
    });
  }

  acknowledge(messageId: number): void {
    if (this.#connected) this.#write({ cmd: 'puback', messageId });
  }

  ping(): void {
    if (!this.#connected) return;
    this.#pingOut = true;
    this.#write({ cmd: 'pingreq' });
  }

  end(options: { reasonCode?: number } = {}): Promise<void> {
    if (this.#closed) return Promise.resolve();
    // Unacknowledged operations are dropped first, so the close waits for nothing.
    this.#pending.rejectAll(new Error('Message removed: the link is ending'));
    const closed = new Promise<void>((resolve) => this.once('close', () => resolve()));
    if (this.#connected)
      this.#write({
        cmd: 'disconnect',
        ...(options.reasonCode === undefined ? {} : { reasonCode: options.reasonCode }),
      });
    this.#connected = false;
    this.#stream.end();
    return closed;
  }

  destroy(): void {
    this.#stream.destroy();
    this.#onClose();
  }

  /** Sends a packet that the broker acknowledges with `expects`; resolves with the acknowledgement. */
  #request(expects: AckType, build: (messageId: number) => Packet): Promise<Packet> {
    if (!this.#connected) return Promise.reject(new Error('Not connected'));
    return new Promise<Packet>((settle, fail) => {
      this.#write(build(this.#pending.add(expects, settle, fail)));
    });
  }

  /** Writes one packet; false when the stream is backed up (see {@link #drained}). */
  #write(packet: Packet): boolean {
    if (this.#closed) return true;
    this.#lastWriteAt = this.#clock.now();
    return this.#stream.write(encodePacket(packet, this.#version));
  }

  /** Resolves on the stream's next `drain` (one listener for every waiter); rejects if it closes first. */
  #drained(): Promise<void> {
    if (this.#backlog === undefined) {
      let settle!: (error?: Error) => void;
      const promise = new Promise<void>((resolve, reject) => {
        settle = (error) => (error === undefined ? resolve() : reject(error));
      });
      this.#backlog = { promise, settle };
      this.#stream.on('drain', this.#onDrain);
    }
    return this.#backlog.promise;
  }

  readonly #onDrain = (): void => {
    this.#stream.off('drain', this.#onDrain);
    const backlog = this.#backlog;
    this.#backlog = undefined;
    backlog?.settle();
  };

  readonly #onData = (chunk: Uint8Array): void => {
    this.emit('received');
    try {
      // A plain view: Node hands Buffers, and payloads should not differ by platform.
      this.#framer.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    } catch (error) {
      this.#fail(
        error instanceof MqttProtocolError
          ? error
          : new MqttProtocolError(`MQTT protocol error: ${(error as Error).message}`, { cause: error }),
      );
    }
  };

  #onPacket(header: number, body: Uint8Array): void {
    if (this.#closed) return;
    // A malformed or forbidden packet throws out of here and ends the link (#onData); a
    // listener that throws is reported as an `error` and the link goes on with the next packet.
    const packet = decodePacket(header, body, this.#version);
    try {
      this.#dispatch(packet);
    } catch (error) {
      if (error instanceof MqttProtocolError) throw error;
      this.emit('error', error);
    }
  }

  #dispatch(packet: Packet): void {
    switch (packet.cmd) {
      case 'connack': {
        const code = (this.#version === 5 ? packet.reasonCode : packet.returnCode) ?? 0;
        if (code !== 0) {
          this.#fail(new ConnackError(code));
          return;
        }
        this.#connected = true;
        this.#keepalive();
        const info: ConnackInfo = {
          sessionPresent: packet.sessionPresent,
          reasonCode: 0,
          ...(packet.properties === undefined ? {} : { properties: packet.properties as ConnackInfo['properties'] }),
        };
        this.emit('connack', info);
        return;
      }
      case 'publish':
        if (packet.qos === 2)
          throw new MqttProtocolError('QoS 2 PUBLISH received; this client subscribes at QoS 1 at most');
        // Not acknowledged here: the consumer calls acknowledge() once it has the message.
        this.emit('message', {
          topic: packet.topic,
          payload: packet.payload,
          qos: packet.qos,
          retain: packet.retain,
          dup: packet.dup,
          ...(packet.messageId === undefined ? {} : { messageId: packet.messageId }),
          ...(packet.properties === undefined ? {} : { properties: packet.properties as PublishProperties }),
        });
        return;
      case 'puback':
      case 'suback':
      case 'unsuback': {
        this.#pending.settle(packet.messageId, packet);
        return;
      }
      case 'pingresp':
        this.#pingOut = false;
        this.emit('pingresp');
        return;
      case 'disconnect':
        this.emit('disconnect', {
          reasonCode: packet.reasonCode ?? 0,
          ...(packet.properties?.reasonString === undefined ? {} : { reasonString: packet.properties.reasonString }),
          ...(packet.properties?.userProperties === undefined
            ? {}
            : { userProperties: packet.properties.userProperties }),
          ...(packet.properties?.serverReference === undefined
            ? {}
            : { serverReference: packet.properties.serverReference }),
        });
        this.destroy();
        return;
      default:
        throw new MqttProtocolError(`Unexpected ${packet.cmd.toUpperCase()} from the broker`);
    }
  }

  /**
   * Keepalive: a PINGREQ once nothing was written for the keepalive interval; a PINGRESP still
   * missing one interval later ends the link ("keepalive timeout").
   */
  #keepalive(): void {
    if (this.#keepaliveMs <= 0) {
      this.#disarm();
      return;
    }
    const due = this.#lastWriteAt + this.#keepaliveMs - this.#clock.now();
    this.#arm(Math.max(0, due), () => {
      if (this.#clock.now() - this.#lastWriteAt >= this.#keepaliveMs) {
        if (this.#pingOut) {
          this.#fail(new Error('Keepalive timeout: no PINGRESP'));
          return;
        }
        this.ping();
      }
      this.#keepalive();
    });
  }

  #arm(ms: number, run: () => void): void {
    this.#disarm();
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = undefined;
      if (!this.#closed) run();
    }, ms);
  }

  #disarm(): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #fail(error: Error): void {
    if (this.#closed) return;
    this.emit('error', error);
    this.destroy();
  }

  readonly #onError = (error: Error): void => {
    if (!this.#closed) this.emit('error', error);
  };

  readonly #onClose = (): void => {
    if (this.#closed) return;
    this.#closed = true;
    this.#connected = false;
    this.#disarm();
    this.#stream.off('data', this.#onData);
    this.#stream.off('close', this.#onClose);
    // Late stream errors (a reset after the close) must not throw for want of a listener.
    this.#stream.off('error', this.#onError);
    this.#stream.off('drain', this.#onDrain);
    this.#stream.on('error', ignore);
    this.#backlog?.settle(new Error('Connection closed'));
    this.#backlog = undefined;
    this.#pending.rejectAll(new Error('Connection closed'));
    this.emit('close');
  };
}

const ignore = (): void => undefined;
