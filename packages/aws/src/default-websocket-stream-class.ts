/**
 * Where `WebSocketStream` (a Duplex on readable-stream) comes from: this package's own module.
 * The `browser` build puts `default-websocket-stream-class.browser.ts` in its place, which takes
 * it from the `@webcomm/aws/websocket-stream` entry, so a bundler drops it (and readable-stream)
 * when the app does not use it.
 */
export { WebSocketStream } from './websocket-stream.js';
