import type { MqttStream } from '@webcomm/core';
import type { WebSocketLike } from './websocket-like.js';
import { WebSocketStream } from './websocket-stream.js';
import type { WebSocketStreamOptions } from './websocket-stream-options.js';

/**
 * The stream the WebSocket transport wraps each socket in: on Node, a {@link WebSocketStream}
 * (a full Duplex, what MQTT.js, the engine of record, reads directly). The `browser` build puts
 * `default-websocket-stream.browser.ts` in its place (a plain stream, no Node polyfills).
 */
export function openWebSocketStream(socket: WebSocketLike, options: WebSocketStreamOptions): MqttStream {
  return new WebSocketStream(socket, options);
}
