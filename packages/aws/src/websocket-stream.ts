import { assertKnownOptions, INSPECT_CUSTOM } from '@webcomm/core/internal'; // internal: assertKnownOptions, INSPECT_CUSTOM
import { STREAM_KEYS, type WebSocketStreamOptions } from './websocket-stream-options.js';
import { Duplex } from 'readable-stream';
import type { WebSocketEventLike, WebSocketLike } from './websocket-like.js';
import { WebSocketLinkError } from './websocket-link-error.js';

export { STREAM_KEYS, type WebSocketStreamOptions } from './websocket-stream-options.js';

const OPEN = 1;
const ignore = (): void => undefined;

/**
 * A WebSocket as the binary duplex stream MQTT.js speaks over. Writes made in the same tick
 * (MQTT.js writes one packet as several chunks) go out as one WebSocket frame; bytes written
 * before the socket opens are sent on open. Failures are destroyed with a {@link WebSocketLinkError}.
 */
export class WebSocketStream extends Duplex {
  // Private: the socket's URL carries the SigV4 signature and session token.
  readonly #webSocket: WebSocketLike;
  private readonly maxBufferedBytes: number;
  private readonly drainPollMs: number;
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private held: (() => void)[] = [];
  private flushScheduled = false;
  private pollTimer: ReturnType<typeof setTimeout> | undefined;
  private opened = false;
  private lastErrorMessage: string | undefined;

  constructor(socket: WebSocketLike, options: WebSocketStreamOptions = {}) {
    super({ allowHalfOpen: false });
    assertKnownOptions(options, STREAM_KEYS, 'WebSocketStream');
    this.#webSocket = socket;
    this.maxBufferedBytes = options.maxBufferedBytes ?? 65_536;
    this.drainPollMs = options.drainPollMs ?? 20;
    // `ws` (Node) hands over its own Buffer with 'nodebuffer'; 'arraybuffer' makes it copy every
    // frame. Browsers ignore the unknown value, so they get 'arraybuffer' next.
    socket.binaryType = 'nodebuffer';
    if (socket.binaryType !== 'nodebuffer') socket.binaryType = 'arraybuffer';
    socket.addEventListener('open', this.onOpen);
    socket.addEventListener('message', this.onMessage);
    socket.addEventListener('error', this.onError);
    socket.addEventListener('close', this.onClose);
    if (socket.readyState === OPEN) this.opened = true;
  }

  /** What `JSON.stringify` shows: the state, never the signed URL. */
  toJSON(): Record<string, unknown> {
    return { readyState: this.#webSocket.readyState, opened: this.opened, pendingBytes: this.pendingBytes };
  }

  /** What `console.log`/`util.inspect` show (Node): {@link WebSocketStream.toJSON}. */
  [INSPECT_CUSTOM](_depth: number, options: object, inspect: (value: unknown, options: object) => string): string {
    return `WebSocketStream ${inspect(this.toJSON(), options)}`;
  }

  override _read(): void {
    // A WebSocket cannot be paused; frames are pushed as they arrive.
  }

  override _write(chunk: Uint8Array, _encoding: string, callback: (error?: Error | null) => void): void {
    this.enqueue(chunk, callback);
  }

  override _writev(chunks: { chunk: Uint8Array }[], callback: (error?: Error | null) => void): void {
    for (let i = 0; i < chunks.length - 1; i++) this.enqueue((chunks[i] as { chunk: Uint8Array }).chunk);
    this.enqueue((chunks[chunks.length - 1] as { chunk: Uint8Array }).chunk, callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.flush();
    // WebSocket.close() sends the close frame after everything already queued by send().
    this.#webSocket.close(1000);
    callback();
  }

  override _destroy(error: Error | null, callback: (error: Error | null) => void): void {
    clearTimeout(this.pollTimer);
    this.#webSocket.removeEventListener('open', this.onOpen);
    this.#webSocket.removeEventListener('message', this.onMessage);
    this.#webSocket.removeEventListener('error', this.onError);
    this.#webSocket.removeEventListener('close', this.onClose);
    // `ws` emits an error when closed while connecting and throws if nobody listens.
    this.#webSocket.addEventListener('error', ignore);
    if (this.#webSocket.readyState <= OPEN) this.#webSocket.close(1000);
    this.pending = [];
    this.held = [];
    callback(error);
  }

  private enqueue(chunk: Uint8Array, callback?: () => void): void {
    this.pending.push(chunk);
    this.pendingBytes += chunk.byteLength;
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      queueMicrotask(() => {
        this.flushScheduled = false;
        this.flush();
      });
    }
    if (callback !== undefined) {
      this.held.push(callback);
      this.releaseIfRoom();
    }
  }

  /** Sends everything pending as one frame, once the socket is open. */
  private flush(): void {
    if (!this.opened || this.pending.length === 0 || this.destroyed) return;
    let frame: Uint8Array;
    if (this.pending.length === 1) {
      frame = this.pending[0] as Uint8Array;
    } else {
      frame = new Uint8Array(this.pendingBytes);
      let offset = 0;
      for (const part of this.pending) {
        frame.set(part, offset);
        offset += part.byteLength;
      }
    }
    this.pending = [];
    this.pendingBytes = 0;
    this.#webSocket.send(frame);
    this.releaseIfRoom();
  }

  /** Lets the writer go on when the socket has room; otherwise checks again shortly. */
  private releaseIfRoom(): void {
    if (this.held.length === 0 || this.destroyed) return;
    const buffered = (this.opened ? this.#webSocket.bufferedAmount : 0) + this.pendingBytes;
    if (buffered <= this.maxBufferedBytes) {
      const callbacks = this.held;
      this.held = [];
      for (const callback of callbacks) callback();
    } else if (this.pollTimer === undefined && this.opened) {
      this.pollTimer = setTimeout(() => {
        this.pollTimer = undefined;
        this.releaseIfRoom();
      }, this.drainPollMs);
    }
  }

  private readonly onOpen = (): void => {
    this.opened = true;
    this.flush();
  };

  private readonly onMessage = (event: WebSocketEventLike): void => {
    const { data } = event;
    if (data instanceof Uint8Array) this.push(data);
    else if (data instanceof ArrayBuffer) this.push(new Uint8Array(data));
    else if (ArrayBuffer.isView(data)) this.push(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    else
      this.destroy(
        new WebSocketLinkError(
          'WEBSOCKET_TEXT_FRAME',
          'The server sent a non-binary WebSocket frame; MQTT needs binary frames.',
        ),
      );
  };

  private readonly onError = (event: WebSocketEventLike): void => {
    // Browsers give a bare Event here; the close event that follows says more.
    if (typeof event.message === 'string' && event.message !== '') this.lastErrorMessage = event.message;
  };

  private readonly onClose = (event: WebSocketEventLike): void => {
    const code = event.code ?? 1006;
    const reason = event.reason ?? '';
    if (!this.opened) {
      const detail = this.lastErrorMessage ?? `close code ${code}${reason === '' ? '' : `, ${reason}`}`;
      const status = /\b([1-5]\d\d)\b/.exec(this.lastErrorMessage ?? '')?.[1];
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
      this.push(null);
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
