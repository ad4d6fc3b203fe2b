/**
 * The two subscribers compared in the delivery benchmarks, behind one shape: ours (a
 * WebcommClient channel handler) and the peer (a raw MQTT.js client with its defaults).
 */
import { leanEngine, WebcommClient, type MqttEngine, type Transport } from '@webcomm/core';
import { mqttJsEngine } from '@webcomm/core/mqttjs';
import mqtt from 'mqtt';
import mqttPacket from 'mqtt-packet';
import { connect } from 'node:net';
import type { Duplex } from 'node:stream';
import { benchTcpTransport } from './tcp-transport.js';

/** A connected, subscribed client. `onMessage` gets the decoded value (bytes or JSON). */
export interface BenchSubscriber {
  /** The socket/stream carrying the link (to pause and resume reads). */
  readonly stream: Duplex | undefined;
  close(): Promise<void>;
}

/** How the handler receives the payload. */
export type Decode = 'raw' | 'json';

export const TOPIC = 'bench/broadcast';

/** Which of core's MQTT engines our side runs on: the lean one (the default) or the opt-in MQTT.js. */
export type EngineName = 'mqtt.js' | 'lean';

export const engineOf = (name: EngineName | undefined): MqttEngine => (name === 'mqtt.js' ? mqttJsEngine : leanEngine);

/** Ours: one channel, one handler; the transport is TCP with NODELAY unless one is given; lean engine unless told. */
export async function ourSubscriber(
  port: number,
  decode: Decode,
  onMessage: (value: unknown) => void,
  options: {
    extraChannels?: number;
    transport?: Transport & { readonly socket?: Duplex | undefined };
    engine?: EngineName;
  } = {},
): Promise<BenchSubscriber> {
  const transport = options.transport ?? benchTcpTransport(port);
  const extra = Array.from({ length: options.extraChannels ?? 0 }, (_, i) => ({
    name: `other-${i}`,
    topic: otherTopic(i),
  }));
  const client = new WebcommClient({
    transport,
    engine: engineOf(options.engine),
    clientId: `ours-${process.pid}-${Math.random().toString(36).slice(2)}`,
    channels: [{ name: 'broadcast', topic: TOPIC }, ...extra],
  });
  // Subscribed while offline: connect() then sends them all and waits for every SUBACK.
  const ignore = (): void => undefined;
  for (const channel of extra) await client.subscribe(channel.name, ignore);
  await client.subscribe('broadcast', onMessage, { decode });
  await client.connect();
  return {
    get stream() {
      return transport.socket;
    },
    close: () => client.close(),
  };
}

/** The peer: MQTT.js `connect()` with its defaults (Nagle left on), a `message` listener. */
export async function peerSubscriber(
  url: string,
  decode: Decode,
  onMessage: (value: unknown) => void,
): Promise<BenchSubscriber> {
  const client = await mqtt.connectAsync(url, { reconnectPeriod: 0 });
  client.on(
    'message',
    decode === 'raw'
      ? (_topic, payload) => onMessage(payload)
      : (_topic, payload) => onMessage(JSON.parse(payload.toString('utf8'))),
  );
  await client.subscribeAsync(TOPIC, { qos: 0 });
  return {
    get stream() {
      return client.stream as unknown as Duplex;
    },
    close: () => client.endAsync(),
  };
}

/**
 * The floor: no MQTT client at all. A raw socket sends pre-encoded CONNECT and SUBSCRIBE, then
 * only frames what arrives (reads each fixed header and remaining length, skips the body) and
 * counts the PUBLISHes: no decoding, no handler. What is left above it is the cost of decoding
 * and delivering. `onMessage` gets `true` per PUBLISH.
 */
export async function floorSubscriber(port: number, onMessage: (value: unknown) => void): Promise<BenchSubscriber> {
  const socket = connect({ host: '127.0.0.1', port, noDelay: true });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  let rest: Buffer | undefined;
  let subscribed: () => void = () => undefined;
  const suback = new Promise<void>((resolve) => (subscribed = resolve));
  socket.on('data', (chunk: Buffer) => {
    const bytes = rest === undefined ? chunk : Buffer.concat([rest, chunk]);
    let at = 0;
    for (;;) {
      // Fixed header: type byte, then a remaining length of 1-4 bytes.
      let length = 0;
      let multiplier = 1;
      let i = at + 1;
      let complete = false;
      while (i < bytes.length) {
        const byte = bytes[i++]!;
        length += (byte & 0x7f) * multiplier;
        multiplier *= 128;
        if ((byte & 0x80) === 0) {
          complete = true;
          break;
        }
      }
      if (!complete || i + length > bytes.length) break;
      const type = bytes[at]! >> 4;
      if (type === 3) onMessage(true);
      else if (type === 9) subscribed();
      at = i + length;
    }
    rest = at < bytes.length ? bytes.subarray(at) : undefined;
  });
  socket.write(
    Buffer.concat([
      mqttPacket.generate({
        cmd: 'connect',
        protocolId: 'MQTT',
        protocolVersion: 4,
        clean: true,
        clientId: `floor-${process.pid}`,
        keepalive: 0,
      }),
      mqttPacket.generate({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: TOPIC, qos: 0 }] }),
    ]),
  );
  await suback;
  return {
    stream: socket,
    close: async () => {
      socket.destroy();
    },
  };
}

/** The `i`-th of the extra channels a client subscribes to in the many-channels runs. */
export const otherTopic = (i: number): string =>
  i % 10 === 0 ? `bench/region-${i}/+/status` : `bench/game-${i}/events`;

/** A JSON payload of exactly `size` bytes (a padded object), as the handler sees it. */
export function jsonPayload(size: number): Uint8Array {
  const head = '{"seq":0,"pad":"';
  const tail = '"}';
  return new TextEncoder().encode(head + 'x'.repeat(Math.max(0, size - head.length - tail.length)) + tail);
}
