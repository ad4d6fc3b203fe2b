import { WebSocket, type ClientOptions } from 'ws';
import {
  WEB_SOCKET_TRANSPORT_KEYS,
  webSocketTransport,
  type WebSocketConstructor,
  type WebSocketTransportOptions,
} from '@webcomm/aws';
import { type Transport } from '@webcomm/core';
import { assertKnownOptions } from '@webcomm/core/internal'; // internal: assertKnownOptions
import { readPem, type PemSource } from './tls-material.js';

/** Options of {@link nodeWebSocketTransport}: the browser transport's, plus a CA to trust for `wss://`. */
export interface NodeWebSocketTransportOptions extends Omit<WebSocketTransportOptions, 'WebSocket'> {
  /** CA(s) to trust for the server (e.g. the emulator's `caPem`); Node's roots when absent. */
  readonly ca?: PemSource;
}

/**
 * MQTT over WebSocket from Node, signed exactly as in browsers (SigV4 with an async credentials
 * provider, a fresh URL for every attempt; or a custom authorizer): the same code as
 * `@webcomm/browser` (both from `@webcomm/aws`), over the `ws` package. Lets an editor plugin use a developer's AWS
 * credentials.
 */
export function nodeWebSocketTransport(options: NodeWebSocketTransportOptions): Transport {
  assertKnownOptions(
    options,
    [...WEB_SOCKET_TRANSPORT_KEYS.filter((k) => k !== 'WebSocket'), 'ca'],
    'nodeWebSocketTransport()',
  );
  const { ca, ...rest } = options;
  const tls: ClientOptions = ca === undefined ? {} : { ca: readPem(ca, 'ca') };
  class TrustingWebSocket extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols, tls);
    }
  }
  return webSocketTransport({ ...rest, WebSocket: TrustingWebSocket as unknown as WebSocketConstructor });
}
