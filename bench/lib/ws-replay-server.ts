/**
 * The replay server of {@link ./replay-server.ts} over WebSocket (path-agnostic, subprotocol
 * `mqtt`), one binary frame per MQTT packet as IoT Core sends them. A hand-rolled RFC 6455
 * server so that replaying is one socket write of pre-built frames: the subscriber, not the
 * server, is what a run measures.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { answer, encodePublish, packets, type ReplayServer } from './replay-server.js';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** One unmasked binary frame (server to client). */
function frame(payload: Buffer): Buffer {
  const n = payload.length;
  const head = n < 126 ? Buffer.from([0x82, n]) : n < 65_536 ? Buffer.from([0x82, 126, n >> 8, n & 0xff]) : undefined;
  if (head === undefined) throw new Error('frame too large for the replay server');
  return Buffer.concat([head, payload]);
}

/** Unmasks client frames off `state.pending`; calls `onData` with binary payloads, `onClose` on a close frame. */
function readFrames(state: { pending: Buffer }, onData: (data: Buffer) => void, onClose: () => void): void {
  for (;;) {
    const buf = state.pending;
    if (buf.length < 2) return;
    const opcode = (buf[0] as number) & 0x0f;
    let length = (buf[1] as number) & 0x7f;
    let offset = 2;
    if (length === 126) {
      if (buf.length < 4) return;
      length = buf.readUInt16BE(2);
      offset = 4;
    } else if (length === 127) {
      if (buf.length < 10) return;
      length = Number(buf.readBigUInt64BE(2));
      offset = 10;
    }
    const masked = ((buf[1] as number) & 0x80) !== 0;
    const maskAt = offset;
    if (masked) offset += 4;
    if (buf.length < offset + length) return;
    const data = Buffer.from(buf.subarray(offset, offset + length));
    if (masked) for (let i = 0; i < data.length; i++) data[i] = (data[i] as number) ^ (buf[maskAt + (i % 4)] as number);
    state.pending = buf.subarray(offset + length);
    if (opcode === 0x8) onClose();
    else if (opcode === 0x2 || opcode === 0x0) onData(data);
  }
}

export async function startWsReplayServer(): Promise<ReplayServer> {
  const sockets = new Set<Socket>();
  const http = createServer((_request, response) => response.writeHead(426).end());
  http.on('upgrade', (request: IncomingMessage, duplex: Duplex) => {
    const socket = duplex as Socket;
    const key = request.headers['sec-websocket-key'];
    if (typeof key !== 'string') return void socket.destroy();
    socket.setNoDelay(true);
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    const accept = createHash('sha1')
      .update(key + GUID)
      .digest('base64');
    const protocol = request.headers['sec-websocket-protocol']?.split(',')[0]?.trim();
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n` +
        `${protocol === undefined ? '' : `Sec-WebSocket-Protocol: ${protocol}\r\n`}\r\n`,
    );
    const frames = { pending: Buffer.alloc(0) as Buffer };
    const mqttBytes = { pending: Buffer.alloc(0) as Buffer };
    socket.on('data', (chunk: Buffer) => {
      frames.pending = frames.pending.length === 0 ? chunk : Buffer.concat([frames.pending, chunk]);
      readFrames(
        frames,
        (data) => {
          mqttBytes.pending = mqttBytes.pending.length === 0 ? data : Buffer.concat([mqttBytes.pending, data]);
          for (const [type, body] of packets(mqttBytes))
            answer(
              (packet) => socket.write(frame(packet)),
              () => socket.end(),
              type,
              body,
            );
        },
        () => socket.end(),
      );
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const address = http.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  let cached: { key: string; block: Buffer } | undefined;
  return {
    port: address.port,
    replay(topic, count, payload) {
      const key = `${topic}\n${count}\n${Buffer.from(payload).toString('base64')}`;
      if (cached?.key !== key) {
        const one = frame(encodePublish(topic, payload));
        const block: Buffer = Buffer.alloc(one.length * count);
        for (let i = 0; i < count; i++) one.copy(block, i * one.length);
        cached = { key, block };
      }
      for (const socket of sockets) socket.write(cached.block);
    },
    async stop() {
      const closed = new Promise<void>((resolve) => http.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
