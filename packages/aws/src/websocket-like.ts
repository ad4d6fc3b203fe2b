/** What webcomm reads from WebSocket events (a subset of the DOM's and `ws`'s event objects). */
export interface WebSocketEventLike {
  /** `"open"`, `"message"`, `"error"` or `"close"`. */
  readonly type: string;
  /** `message`: the frame (an `ArrayBuffer` with `binaryType = "arraybuffer"`, a `Buffer` from `ws` with `"nodebuffer"`). */
  readonly data?: unknown;
  /** `close`: the close code (1006 when the connection failed or dropped). */
  readonly code?: number;
  /** `close`: the close reason. */
  readonly reason?: string;
  /** `error` in `ws`: e.g. `"Unexpected server response: 403"`. Browsers give none. */
  readonly message?: string;
}

/** The part of the WebSocket API webcomm uses; the DOM `WebSocket` and the `ws` package both fit. */
export interface WebSocketLike {
  binaryType: string;
  readonly bufferedAmount: number;
  readonly readyState: number;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open' | 'message' | 'error' | 'close', listener: (event: WebSocketEventLike) => void): void;
  removeEventListener(
    type: 'open' | 'message' | 'error' | 'close',
    listener: (event: WebSocketEventLike) => void,
  ): void;
}

/** A WebSocket constructor: `globalThis.WebSocket` in browsers, `WebSocket` from `ws` in Node. */
export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocketLike;
