/** Why a WebSocket link failed, as seen by the stream. */
export type WebSocketLinkErrorCode =
  /** The connection never opened (refused upgrade, DNS, TLS, network). */
  | 'WEBSOCKET_UPGRADE_FAILED'
  /** An open connection closed without a normal close (code ≠ 1000). */
  | 'WEBSOCKET_CLOSED'
  /** The server sent a text frame; MQTT over WebSocket is binary only. */
  | 'WEBSOCKET_TEXT_FRAME';

/**
 * The raw failure a WebSocket stream emits; the transport's `classifyError` turns it into a
 * `WebcommError`. It has a string `code` so MQTT.js forwards it instead of swallowing it.
 */
export class WebSocketLinkError extends Error {
  override readonly name = 'WebSocketLinkError';
  constructor(
    readonly code: WebSocketLinkErrorCode,
    message: string,
    /** WebSocket close code, when there was a close event. */
    readonly closeCode?: number,
    /** HTTP status of a refused upgrade, when the runtime shows it (`ws` does; browsers do not). */
    readonly httpStatus?: number,
  ) {
    super(message);
  }
}
