/**
 * A Duplex over a `ws` WebSocket that sends each corked batch of writes as one binary frame.
 * mqtt-packet corks the stream while writing a packet's pieces; `ws`'s own
 * `createWebSocketStream` has no `_writev`, so it sent ~5 frames per PUBLISH. This sends one.
 */
import { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import type { PeerClosable } from '../broker/peer-close.js';

/** `ws` reports 1006 when the connection ended without a Close frame. */
const ABNORMAL_CLOSURE = 1006;

/** Wraps an open WebSocket as a byte stream for aedes. */
export class WebSocketDuplex extends Duplex implements PeerClosable {
  readonly #ws: WebSocket;
  /** We started closing (aedes ended or destroyed the stream): a Close frame after it is an answer. */
  #closingHere = false;
  #closedByPeer = false;

  /** True when the client sent a WebSocket Close frame first (presence: `CLIENT_INITIATED_DISCONNECT`). */
  get closedByPeer(): boolean {
    return this.#closedByPeer;
  }

  constructor(ws: WebSocket) {
    super();
    this.#ws = ws;
    ws.on('message', (data: Buffer | ArrayBuffer | Buffer[]) => {
      const chunk = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
      if (!this.push(chunk)) ws.pause();
    });
    ws.once('close', (code: number) => {
      this.#closedByPeer = code !== ABNORMAL_CLOSURE && !this.#closingHere;
      this.push(null);
      this.destroy();
    });
    ws.on('error', (error) => this.destroy(error));
  }

  override _read(): void {
    this.#ws.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.#send(chunk, callback);
  }

  override _writev(chunks: { chunk: Buffer }[], callback: (error?: Error | null) => void): void {
    this.#send(Buffer.concat(chunks.map(({ chunk }) => chunk)), callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.#closingHere = true;
    this.#ws.close();
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (this.#ws.readyState !== this.#ws.CLOSED) {
      this.#closingHere = true;
      this.#ws.terminate();
    }
    callback(error);
  }

  #send(data: Buffer, callback: (error?: Error | null) => void): void {
    if (this.#ws.readyState !== this.#ws.OPEN) {
      callback(new Error('WebSocket is not open'));
      return;
    }
    this.#ws.send(data, { binary: true }, (error) => callback(error ?? null));
  }
}
