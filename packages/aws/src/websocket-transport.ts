import type { ConnectContext, Transport, TransportLink, WebcommError } from '@webcomm/core';
import { ERROR_CODES, WebcommError as WebcommErrorClass } from '@webcomm/core';
import { assertKnownOptions, optionKeys, pickOptions } from '@webcomm/core/internal'; // internal: assertKnownOptions, optionKeys, pickOptions
import { classifyWebSocketError } from './classify-websocket-error.js';
import type { CredentialsProvider } from './credentials.js';
import { customAuthorizerUrl, type CustomAuthorizerToken } from './custom-authorizer-url.js';
import { webSocketUrl } from './endpoint-url.js';
import { presignIotUrl, type PresignIotUrlOptions } from './presign-iot-url.js';
import type { WebSocketConstructor } from './websocket-like.js';
import { openWebSocketStream } from './default-websocket-stream.js';
import { STREAM_KEYS, type WebSocketStreamOptions } from './websocket-stream-options.js';

/** SigV4: a URL presigned with fresh credentials for every attempt. */
export interface SigV4Auth {
  readonly type: 'sigv4';
  /** Called before every attempt; wrap slow sources in `credentialsFromFunction` to cache them. */
  readonly credentials: CredentialsProvider;
  /**
   * Signing region.
   * @default the region in the endpoint host
   */
  readonly region?: string;
  /** See {@link PresignIotUrlOptions.expiresInSeconds}. @default 86_400 */
  readonly expiresInSeconds?: number;
  /** See {@link PresignIotUrlOptions.sha256}. @default `@aws-crypto/sha256-js` */
  readonly sha256?: PresignIotUrlOptions['sha256'];
}

/** AWS IoT custom authorizer, parameters in the URL query. */
export interface CustomAuthorizerAuth {
  readonly type: 'custom-authorizer';
  readonly authorizerName: string;
  /** The token, or a function returning a fresh one for each attempt. */
  readonly token?: CustomAuthorizerToken | (() => CustomAuthorizerToken | Promise<CustomAuthorizerToken>);
  /** Further query parameters for the authorizer. */
  readonly query?: Readonly<Record<string, string>>;
}

/** No authentication in the URL (a plain MQTT broker over WebSocket, or username/password in CONNECT). */
export interface NoAuth {
  readonly type: 'none';
}

/** Options of {@link webSocketTransport}. */
export interface WebSocketTransportOptions extends WebSocketStreamOptions {
  /** IoT data endpoint host, or a `wss://`/`ws://` URL (path defaults to `/mqtt`). */
  readonly endpoint: string;
  /** How the connection authenticates. */
  readonly auth: SigV4Auth | CustomAuthorizerAuth | NoAuth;
  /**
   * WebSocket constructor; pass `WebSocket` from the `ws` package in Node.
   * @default globalThis.WebSocket
   */
  readonly WebSocket?: WebSocketConstructor;
  /**
   * WebSocket subprotocol(s). AWS IoT accepts `mqtt` (what MQTT.js sends) and `mqttv3.1`.
   * @default "mqtt"
   */
  readonly protocols?: string | readonly string[];
  /**
   * Clock used as the signing time; injectable for tests.
   * @default () => new Date()
   */
  readonly now?: () => Date;
}

/** Every key of {@link WebSocketTransportOptions} (for adapters that widen it). */
export const WEB_SOCKET_TRANSPORT_KEYS = optionKeys<WebSocketTransportOptions>({
  endpoint: true,
  auth: true,
  WebSocket: true,
  protocols: true,
  now: true,
  maxBufferedBytes: true,
  drainPollMs: true,
});

const AUTH_KEYS: Readonly<Record<string, readonly string[]>> = {
  sigv4: optionKeys<SigV4Auth>({ type: true, credentials: true, region: true, expiresInSeconds: true, sha256: true }),
  'custom-authorizer': optionKeys<CustomAuthorizerAuth>({ type: true, authorizerName: true, token: true, query: true }),
  none: optionKeys<NoAuth>({ type: true }),
};

/** Refuses unknown keys of the transport options and of `auth` (per auth type), naming `where`. */
export function assertWebSocketTransportKeys(
  options: unknown,
  where: string,
  keys: readonly string[] = WEB_SOCKET_TRANSPORT_KEYS,
): void {
  assertKnownOptions(options, keys, where);
  const auth = (options as { auth?: { type?: unknown; token?: unknown } } | null)?.auth;
  const authKeys = AUTH_KEYS[String(auth?.type)];
  if (authKeys !== undefined) assertKnownOptions(auth, authKeys, where, 'auth');
  if (auth?.type === 'custom-authorizer' && typeof auth.token === 'object')
    assertKnownOptions(auth.token, ['tokenKeyName', 'token', 'signature'], where, 'auth.token');
}

function resolveOptions(
  options: WebSocketTransportOptions,
): Required<Pick<WebSocketTransportOptions, 'WebSocket' | 'now'>> {
  assertWebSocketTransportKeys(options, 'webSocketTransport()');
  const WebSocketClass = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (typeof WebSocketClass !== 'function') {
    throw new WebcommErrorClass(
      ERROR_CODES.INVALID_OPTION,
      'No WebSocket in this runtime: pass options.WebSocket (in Node: `import { WebSocket } from "ws"`).',
    );
  }
  const auth = options.auth as { type?: unknown } | undefined;
  if (auth === undefined || !['sigv4', 'custom-authorizer', 'none'].includes(String(auth.type))) {
    throw new WebcommErrorClass(
      ERROR_CODES.INVALID_OPTION,
      'auth must be {type: "sigv4", credentials} or {type: "custom-authorizer", authorizerName, token?} or {type: "none"}.',
    );
  }
  if (options.auth.type === 'sigv4' && typeof options.auth.credentials !== 'function') {
    throw new WebcommErrorClass(
      ERROR_CODES.INVALID_OPTION,
      'auth.credentials must be a credentials provider, e.g. cognitoCredentials({...}) or staticCredentials({...}).',
    );
  }
  webSocketUrl(options.endpoint); // validates, names the option
  return { WebSocket: WebSocketClass, now: options.now ?? (() => new Date()) };
}

/**
 * A {@link Transport} over WebSocket: every `open()` builds a fresh URL (SigV4-presigned at that
 * moment, or the custom-authorizer query) and wraps the socket as the stream MQTT.js speaks over.
 */
export function webSocketTransport(options: WebSocketTransportOptions): Transport {
  const { WebSocket: WebSocketClass, now } = resolveOptions(options);
  const { auth, endpoint } = options;
  const protocols = typeof options.protocols === 'string' ? options.protocols : [...(options.protocols ?? ['mqtt'])];
  const base = webSocketUrl(endpoint);
  const safeEndpoint = `${base.protocol}//${base.host}${base.pathname}`;
  const streamOptions: WebSocketStreamOptions = pickOptions(options, STREAM_KEYS);

  async function url(): Promise<string> {
    switch (auth.type) {
      case 'sigv4': {
        const credentials = await auth.credentials();
        const signingDate = now();
        if (credentials.expiration !== undefined && credentials.expiration.getTime() <= signingDate.getTime()) {
          throw new WebcommErrorClass(
            ERROR_CODES.BAD_CREDENTIALS,
            `The credentials provider returned credentials that expired at ${credentials.expiration.toISOString()}: refresh them in the provider (or check this device's clock).`,
            { fatal: true },
          );
        }
        return presignIotUrl({
          endpoint,
          credentials,
          region: auth.region,
          expiresInSeconds: auth.expiresInSeconds,
          sha256: auth.sha256,
          signingDate,
        });
      }
      case 'custom-authorizer':
        return customAuthorizerUrl(endpoint, {
          authorizerName: auth.authorizerName,
          token: typeof auth.token === 'function' ? await auth.token() : auth.token,
          query: auth.query,
        });
      case 'none':
        return base.href;
    }
  }

  const aborted = (): WebcommError =>
    new WebcommErrorClass(ERROR_CODES.ABORTED, 'The connection attempt was abandoned.');

  return {
    name: auth.type === 'sigv4' ? 'wss-sigv4' : auth.type === 'custom-authorizer' ? 'wss-custom-auth' : 'wss',
    async open(context: ConnectContext): Promise<TransportLink> {
      if (context.signal.aborted) throw aborted();
      const target = await url();
      if (context.signal.aborted) throw aborted();
      let socket;
      try {
        socket = new WebSocketClass(target, protocols);
      } catch (cause) {
        // Constructors throw synchronously for malformed URLs or blocked ports.
        throw new WebcommErrorClass(
          ERROR_CODES.INVALID_OPTION,
          `Cannot open a WebSocket to ${safeEndpoint}: ${(cause as Error).message}`,
          { cause, fatal: true },
        );
      }
      return { stream: openWebSocketStream(socket, streamOptions), endpoint: safeEndpoint };
    },
    classifyError: classifyWebSocketError,
  };
}
