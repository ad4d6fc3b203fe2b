/**
 * A minimal MQTT 3.1.1 server that answers CONNECT, SUBSCRIBE, UNSUBSCRIBE and PINGREQ, and
 * replays a pre-encoded block of QoS 0 PUBLISH packets to every connection on demand. It
 * feeds a subscriber as fast as the socket takes bytes, so a delivery-rate run measures the
 * subscriber's own cost per message; aedes, doing real routing per message, is otherwise the
 * bottleneck and hides the difference between subscribers.
 */
import { createServer, type Socket } from 'node:net';

/** A running replay server. */
export interface ReplayServer {
  readonly port: number;
  /** Writes `count` PUBLISH packets of `payload` on `topic` to every connection. */
  replay(topic: string, count: number, payload: Uint8Array): void;
  stop(): Promise<void>;
}

export function remainingLength(length: number): number[] {
  const bytes: number[] = [];
  do {
    let byte = length % 128;
    length = Math.floor(length / 128);
    if (length > 0) byte |= 0x80;
    bytes.push(byte);
  } while (length > 0);
  return bytes;
}

/** One QoS 0 PUBLISH packet. */
export function encodePublish(topic: string, payload: Uint8Array): Buffer {
  const name = Buffer.from(topic, 'utf8');
  const body = 2 + name.length + payload.byteLength;
  return Buffer.concat([
    Buffer.from([0x30, ...remainingLength(body), name.length >> 8, name.length & 0xff]),
    name,
    payload,
  ]);
}

/** Reads whole packets off a byte stream: `[type byte, body]` per packet. */
export function* packets(state: { pending: Buffer }): Generator<[number, Buffer]> {
  for (;;) {
    const buf = state.pending;
    let length = 0;
    let multiplier = 1;
    let offset = 1;
    for (;;) {
      if (offset >= buf.length) return;
      const byte = buf[offset++] as number;
      length += (byte & 0x7f) * multiplier;
      multiplier *= 128;
      if ((byte & 0x80) === 0) break;
    }
    if (buf.length < offset + length) return;
    yield [buf[0] as number, buf.subarray(offset, offset + length)];
    state.pending = buf.subarray(offset + length);
  }
}

/** Answers one client packet through `send` (one whole MQTT packet per call). */
export function answer(send: (packet: Buffer) => void, end: () => void, type: number, body: Buffer): void {
  switch (type >> 4) {
    case 1: // CONNECT → CONNACK accepted, no session
      send(Buffer.from([0x20, 0x02, 0x00, 0x00]));
      break;
    case 8: {
      // SUBSCRIBE → SUBACK granting QoS 0 for each filter
      let filters = 0;
      for (let i = 2; i < body.length;) {
        i += 2 + body.readUInt16BE(i) + 1;
        filters++;
      }
      send(
        Buffer.from([
          0x90,
          ...remainingLength(2 + filters),
          body[0] ?? 0,
          body[1] ?? 0,
          ...new Array<number>(filters).fill(0),
        ]),
      );
      break;
    }
    case 10: // UNSUBSCRIBE → UNSUBACK
      send(Buffer.from([0xb0, 0x02, body[0] ?? 0, body[1] ?? 0]));
      break;
    case 12: // PINGREQ → PINGRESP
      send(Buffer.from([0xd0, 0x00]));
      break;
    case 14: // DISCONNECT
      end();
      break;
  }
}

export async function startReplayServer(): Promise<ReplayServer> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    socket.setNoDelay(true);
    sockets.add(socket);
    const state: { pending: Buffer } = { pending: Buffer.alloc(0) };
    socket.on('data', (chunk: Buffer) => {
      state.pending = state.pending.length === 0 ? chunk : Buffer.concat([state.pending, chunk]);
      for (const [type, body] of packets(state))
        answer(
          (packet) => socket.write(packet),
          () => socket.end(),
          type,
          body,
        );
    });
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  let cached: { key: string; block: Buffer } | undefined;
  return {
    port: address.port,
    replay(topic, count, payload) {
      const key = `${topic}\n${count}\n${Buffer.from(payload).toString('base64')}`;
      if (cached?.key !== key) {
        const one = encodePublish(topic, payload);
        const block: Buffer = Buffer.alloc(one.length * count);
        for (let i = 0; i < count; i++) one.copy(block, i * one.length);
        cached = { key, block };
      }
      for (const socket of sockets) socket.write(cached.block);
    },
    async stop() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
