import type { MqttStream } from '@webcomm/core';
import { WebSocketByteStream } from './websocket-byte-stream.js';
import type { WebSocketLike } from './websocket-like.js';
import type { WebSocketStreamOptions } from './websocket-stream-options.js';

/**
 * In browsers the WebSocket transport wraps each socket in a {@link WebSocketByteStream}: no
 * `readable-stream` or `buffer` in the bundle. The lean engine reads it as it is; MQTT.js (when
 * chosen) gets it wrapped as a Duplex by its engine.
 */
export function openWebSocketStream(socket: WebSocketLike, options: WebSocketStreamOptions): MqttStream {
  return new WebSocketByteStream(socket, options);
}
