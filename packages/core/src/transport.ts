import type { WebcommError } from './errors.js';

/**
 * The byte stream MQTT runs over: what every engine needs, no more. A Node `Duplex` (a TCP or
 * TLS socket, `@webcomm/aws`'s `WebSocketStream`) is one; so is a plain object over a
 * browser WebSocket, which spares a browser bundle Node's stream polyfills. It emits `data`
 * (bytes), `error`, `close` (once, at the end) and `drain` (room again after `write` returned
 * false).
 */
export interface MqttStream {
  /** Queues bytes; false when the caller should wait for `drain`. */
  write(chunk: Uint8Array, callback?: (error?: Error | null) => void): boolean;
  /** Closes after what was written (for a socket: FIN; for a WebSocket: a close frame). */
  end(): unknown;
  /** Closes now; `close` follows. */
  destroy(error?: Error): unknown;
  on(event: 'data', listener: (chunk: Uint8Array) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'close' | 'drain', listener: () => void): unknown;
  off(event: 'data', listener: (chunk: Uint8Array) => void): unknown;
  off(event: 'error', listener: (error: Error) => void): unknown;
  off(event: 'close' | 'drain', listener: () => void): unknown;
}

/** What the client tells a transport about one connection attempt. */
export interface ConnectContext {
  /** 1-based attempt number since `connect()` or since the last stable link. */
  readonly attempt: number;
  /** The MQTT client ID this attempt will connect with. */
  readonly clientId: string;
  /** Aborted when the attempt is abandoned (close, connect timeout). */
  readonly signal: AbortSignal;
}

/** What a transport yields for one connection attempt. */
export interface TransportLink {
  /** The stream to speak MQTT over, already opening. The client owns it from here on. */
  readonly stream: MqttStream;
  /** Where this link goes, safe to log: never contains a secret. */
  readonly endpoint: string;
  /** CONNECT username for this attempt (custom authorizer form), if any. */
  readonly username?: string;
  /** CONNECT password for this attempt, if any. Never logged. */
  readonly password?: string | Uint8Array;
}

/**
 * The one seam between the transport-agnostic client and a platform. An adapter
 * (`@webcomm/node`, `@webcomm/browser`) implements it and passes it to the client.
 *
 * `open` is called for **every** connection attempt, so each attempt can carry fresh
 * credentials or a freshly signed URL.
 *
 * Transports that own a TCP socket should turn Nagle's algorithm off (`socket.setNoDelay(true)`,
 * or `noDelay: true` in `net.connect`/`tls.connect`): measured on loopback, MQTT.js with Nagle on
 * has a 38 ms p99.9 delivery tail, 5 ms without. Honour `context.signal`: destroy the socket and
 * reject when it aborts (close, connect timeout). Resolve only once the stream is open, so a
 * refused connection fails the attempt at once.
 */
export interface Transport {
  /** Short name for logs, e.g. `"mtls"`, `"wss-sigv4"`. */
  readonly name: string;
  /** Opens a link for one attempt. Reject with a {@link WebcommError} (fatal or not) on failure. */
  open(context: ConnectContext): Promise<TransportLink>;
  /**
   * Maps a failure seen on this transport's stream (socket error, HTTP status on a
   * WebSocket upgrade, TLS alert) to a typed error, or `undefined` to let the client
   * treat it as a transient network fault.
   */
  classifyError?(error: unknown): WebcommError | undefined;
}
