import { optionKeys } from '@webcomm/core/internal'; // internal: optionKeys

/** Options of the WebSocket streams (`WebSocketStream`, `WebSocketByteStream`). */
export interface WebSocketStreamOptions {
  /**
   * Write callbacks are held while the socket's `bufferedAmount` plus unsent bytes exceed
   * this, so `write()` returns false and `drain` follows once the socket catches up.
   * @default 65_536
   */
  readonly maxBufferedBytes?: number;
  /**
   * How often `bufferedAmount` is checked while over the limit (WebSocket has no drain event).
   * @default 20
   */
  readonly drainPollMs?: number;
}

/** Every key of {@link WebSocketStreamOptions}. */
export const STREAM_KEYS = optionKeys<WebSocketStreamOptions>({ maxBufferedBytes: true, drainPollMs: true });
