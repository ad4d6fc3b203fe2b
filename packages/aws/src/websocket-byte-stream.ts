import type { MqttStream } from '@webcomm/core';
import { assertKnownOptions, INSPECT_CUSTOM } from '@webcomm/core/internal'; // internal: assertKnownOptions, INSPECT_CUSTOM
import { EventEmitter } from 'eventemitter3';
import type { WebSocketEventLike, WebSocketLike } from './websocket-like.js';
import { WebSocketLinkError } from './websocket-link-error.js';
import { STREAM_KEYS, type WebSocketStreamOptions } from './websocket-stream-options.js';

const OPEN = 1;
const ignore = (): void => undefined;

interface ByteStreamEvents {
  data: [chunk: Uint8Array];
  error: [error: Error];
  close: [];
  drain: [];
}

/**
 * A WebSocket as a plain {@link MqttStream}: what {@link WebSocketStream} does (writes in one
 * tick go out as one frame, bytes written before open are sent on open, backpressure from
 * `bufferedAmount`, failures as a {@link WebSocketLinkError}) without Node's stream machinery,
 * so a browser bundle with the lean engine needs no `readable-stream` or `buffer` polyfill.
 * Emits `error` (at most once) before `close`, and `close` exactly once.
 */
export class WebSocketByteStream extends EventEmitter<ByteStreamEvents> implements MqttStream {
  // Private: the socket's URL carries the SigV4 signature and session token.
  readonly #webSocket: WebSocketLike;
  readonly #maxBufferedBytes: number;
  readonly #drainPollMs: number;
  #pending: Uint8Array[] = [];
  #pendingBytes = 0;
  #flushScheduled = false;
  #pollTimer: ReturnType<typeof setTimeout> | undefined;
  #opened = false;
  #needDrain = false;
  #destroyed = false;
  #lastErrorMessage: string | undefined;

  constructor(socket: WebSocketLike, options: WebSocketStreamOptions = {}) {
    super();
    assertKnownOptions(options, STREAM_KEYS, 'WebSocketByteStream');
    this.#webSocket = socket;
    this.#maxBufferedBytes = options.maxBufferedBytes ?? 65_536;
    this.#drainPollMs = options.drainPollMs ?? 20;
    socket.binaryType = 'arraybuffer';
    socket.addEventListener('open', this.#onOpen);
    socket.addEventListener('message', this.#onMessage);
    socket.addEventListener('error', this.#onError);
    socket.addEventListener('close', this.#onClose);
    if (socket.readyState === OPEN) this.#opened = true;
  }

  /** What `JSON.stringify` shows: the state, never the signed URL. */
  toJSON(): Record<string, unknown> {
    return { readyState: this.#webSocket.readyState, opened: this.#opened, pendingBytes: this.#pendingBytes };
  }

  /** What `console.log`/`util.inspect` show (Node): {@link WebSocketByteStream.toJSON}. */
  [INSPECT_CUSTOM](_depth: number, options: object, inspect: (value: unknown, options: object) => string): string {
    return `WebSocketByteStream ${inspect(this.toJSON(), options)}`;
  }

  /** Queues bytes for the next frame; false while the socket is backed up (`drain` follows). */
  write(chunk: Uint8Array, callback?: (error?: Error | null) => void): boolean {
    if (this.#destroyed) {
      callback?.(new Error('write after the WebSocket closed'));
      return false;
    }
    this.#pending.push(chunk);
    this.#pendingBytes += chunk.byteLength;
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      queueMicrotask(() => {
        this.#flushScheduled = false;
        this.#flush();
      });
    }
    callback?.();
    const room = this.#buffered() <= this.#maxBufferedBytes;
    if (!room) {
      this.#needDrain = true;
      this.#poll();
    }
    return room;
  }

  /** Sends what is queued, then a normal close frame. */
  end(): void {
    if (this.#destroyed) return;
    this.#flush();
    // WebSocket.close() sends the close frame after everything already queued by send().
    this.#webSocket.close(1000);
  }

  /** Closes now; `error` (when given) then `close` follow. */
  destroy(error?: Error): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    clearTimeout(this.#pollTimer);
    const socket = this.#webSocket;
    socket.removeEventListener('open', this.#onOpen);
    socket.removeEventListener('message', this.#onMessage);
    socket.removeEventListener('error', this.#onError);
    socket.removeEventListener('close', this.#onClose);
    // `ws` emits an error when closed while connecting and throws if nobody listens.
    socket.addEventListener('error', ignore);
    if (socket.readyState <= OPEN) socket.close(1000);
    this.#pending = [];
    this.#pendingBytes = 0;
    if (error !== undefined) this.emit('error', error);
    this.emit('close');
  }

  #buffered(): number {
    return (this.#opened ? this.#webSocket.bufferedAmount : 0) + this.#pendingBytes;
  }

  /** Sends everything pending as one frame, once the socket is open. */
  #flush(): void {
    if (!this.#opened || this.#pending.length === 0 || this.#destroyed) return;
    let frame = this.#pending[0] as Uint8Array;
    if (this.#pending.length > 1) {
      frame = new Uint8Array(this.#pendingBytes);
      let offset = 0;
      for (const part of this.#pending) {
        frame.set(part, offset);
        offset += part.byteLength;
      }
    }
    this.#pending = [];
    this.#pendingBytes = 0;
    this.#webSocket.send(frame);
  }

  /** While backed up, checks `bufferedAmount` (WebSocket has no drain event) and emits `drain`. */
  #poll(): void {
    if (this.#pollTimer !== undefined || this.#destroyed) return;
    this.#pollTimer = setTimeout(() => {
      this.#pollTimer = undefined;
      if (!this.#needDrain || this.#destroyed) return;
      if (this.#buffered() <= this.#maxBufferedBytes) {
        this.#needDrain = false;
        this.emit('drain');
      } else {
        this.#poll();
      }
    }, this.#drainPollMs);
  }

  readonly #onOpen = (): void => {
    this.#opened = true;
    this.#flush();
  };

  readonly #onMessage = (event: WebSocketEventLike): void => {
    const { data } = event;
    if (data instanceof ArrayBuffer) this.emit('data', new Uint8Array(data));
    else if (ArrayBuffer.isView(data)) this.emit('data', new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    else
      this.destroy(
        new WebSocketLinkError(
          'WEBSOCKET_TEXT_FRAME',
          'The server sent a non-binary WebSocket frame; MQTT needs binary frames.',
        ),
      );
  };

  readonly #onError = (event: WebSocketEventLike): void => {
    // Browsers give a bare Event here; the close event that follows says more.
    if (typeof event.message === 'string' && event.message !== '') this.#lastErrorMessage = event.message;
  };

  readonly #onClose = (event: WebSocketEventLike): void => {
    const code = event.code ?? 1006;
    const reason = event.reason ?? '';
    if (!this.#opened) {
      const detail = this.#lastErrorMessage ?? `close code ${code}${reason === '' ? '' : `, ${reason}`}`;
      const status = /\b([1-5]\d\d)\b/.exec(this.#lastErrorMessage ?? '')?.[1];
      this.destroy(
        new WebSocketLinkError(
          'WEBSOCKET_UPGRADE_FAILED',
          `WebSocket connection failed before opening (${detail}).`,
          code,
          status === undefined ? undefined : Number(status),
        ),
      );
    } else if (code === 1000 || code === 1005) {
      // Normal close (1005: a close frame without a code).
      this.destroy();
    } else {
      this.destroy(
        new WebSocketLinkError(
          'WEBSOCKET_CLOSED',
          `WebSocket closed with code ${code}${reason === '' ? '' : ` (${reason})`}.`,
          code,
        ),
      );
    }
  };
}
