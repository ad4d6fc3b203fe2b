/**
 * In the `browser` build, `WebSocketStream` is re-exported from the package's
 * `websocket-stream` entry (a file of its own): unused, it and readable-stream are dropped.
 */
export { WebSocketStream } from '@webcomm/aws/websocket-stream';
