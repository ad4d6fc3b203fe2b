import { ERROR_CODES, WebcommClient, WebcommError, type TimerHandle, type WebcommClientOptions } from '@webcomm/core';
import {
  assertClientOptionKeys,
  assertKnownOptions,
  CLIENT_OPTION_KEYS,
  optionKeys,
  pickOptions,
  systemClock,
} from '@webcomm/core/internal'; // internal: assertClientOptionKeys, assertKnownOptions, CLIENT_OPTION_KEYS, optionKeys, pickOptions
import { WATCH_NETWORK_KEYS, watchNetwork, type WatchNetworkOptions } from './watch-network.js';
import {
  assertWebSocketTransportKeys,
  WEB_SOCKET_TRANSPORT_KEYS,
  webSocketTransport,
  type WebSocketTransportOptions,
} from '@webcomm/aws';

/** What the client does while the page is hidden (background tab, minimised window). */
export type HiddenPolicy =
  /** Keep the link as it is; reconnect attempts follow the normal backoff. */
  | 'stay'
  /** Keep the link; when the page becomes visible again and the link is down, try at once. */
  | 'reconnect-on-visible';

/** Options of {@link createBrowserClient}: the core client's, minus `transport`, plus the WebSocket's. */
export interface BrowserClientOptions
  extends Omit<WebcommClientOptions, 'transport'>, Omit<WebSocketTransportOptions, 'now'> {
  /**
   * Replace the link with a freshly signed one before it reaches this age (AWS IoT Core closes
   * WebSocket connections after 24 hours). 0 turns renewal off.
   * @default 85800000 (23 h 50 min)
   */
  readonly maxLinkAgeMs?: number;
  /** @default "reconnect-on-visible" */
  readonly whileHidden?: HiddenPolicy;
  /**
   * Watch online/offline, visibility and frozen timers (when the runtime has `window`).
   * @default true
   */
  readonly watchNetwork?: boolean;
  /** Passed to {@link watchNetwork} (injectable window/document/timers for tests). */
  readonly network?: WatchNetworkOptions;
}

/** Default values of {@link BrowserClientOptions}' own fields. */
export const BROWSER_CLIENT_DEFAULTS = {
  maxLinkAgeMs: 85_800_000,
  whileHidden: 'reconnect-on-visible',
  watchNetwork: true,
} as const satisfies Partial<BrowserClientOptions>;

/** Every key of {@link BrowserClientOptions}. */
export const BROWSER_CLIENT_KEYS: readonly string[] = [
  ...CLIENT_OPTION_KEYS.filter((k) => k !== 'transport'),
  ...WEB_SOCKET_TRANSPORT_KEYS.filter((k) => k !== 'now'),
  ...optionKeys<Omit<BrowserClientOptions, keyof WebcommClientOptions | keyof WebSocketTransportOptions>>({
    maxLinkAgeMs: true,
    whileHidden: true,
    watchNetwork: true,
    network: true,
  }),
];

/** Refuses unknown keys of browser client options and their nested objects, naming `where`. */
export function assertBrowserClientKeys(
  options: unknown,
  where: string,
  keys: readonly string[] = BROWSER_CLIENT_KEYS,
): void {
  assertClientOptionKeys(options, where, keys);
  assertWebSocketTransportKeys(options, where, keys);
  assertKnownOptions((options as { network?: unknown } | null)?.network, WATCH_NETWORK_KEYS, where, 'network');
}

/**
 * A {@link WebcommClient} over a WebSocket that signs a fresh URL for every attempt, reconnects
 * at once when the browser reports the network is back, and renews the link before IoT Core's
 * 24-hour WebSocket limit.
 *
 * @example
 * ```ts
 * const credentials = cognitoCredentials({ identityPoolId, region });
 * const client = createBrowserClient({
 *   endpoint: 'wss://abc-ats.iot.eu-west-1.amazonaws.com/mqtt',
 *   auth: { type: 'sigv4', credentials },
 *   clientId: await credentials.getIdentityId(),
 *   channels: registration.channels,
 * });
 * await client.connect();
 * ```
 */
export function createBrowserClient(options: BrowserClientOptions): WebcommClient {
  assertBrowserClientKeys(options, 'createBrowserClient()');
  const { endpoint, auth, WebSocket, protocols, maxBufferedBytes, drainPollMs } = options;
  const maxLinkAgeMs = options.maxLinkAgeMs ?? BROWSER_CLIENT_DEFAULTS.maxLinkAgeMs;
  const whileHidden = options.whileHidden ?? BROWSER_CLIENT_DEFAULTS.whileHidden;
  if (!Number.isFinite(maxLinkAgeMs) || maxLinkAgeMs < 0) {
    throw new WebcommError(
      ERROR_CODES.INVALID_OPTION,
      `Option "maxLinkAgeMs" must be 0 (off) or a positive number of ms (got ${String(maxLinkAgeMs)}).`,
    );
  }
  if (whileHidden !== 'stay' && whileHidden !== 'reconnect-on-visible') {
    throw new WebcommError(
      ERROR_CODES.INVALID_OPTION,
      `Option "whileHidden" must be "stay" or "reconnect-on-visible" (got ${String(whileHidden)}).`,
    );
  }
  const transport = webSocketTransport({
    endpoint,
    auth,
    ...(WebSocket === undefined ? {} : { WebSocket }),
    ...(protocols === undefined ? {} : { protocols }),
    ...(maxBufferedBytes === undefined ? {} : { maxBufferedBytes }),
    ...(drainPollMs === undefined ? {} : { drainPollMs }),
  });
  const client = new WebcommClient({
    ...(pickOptions(options, CLIENT_OPTION_KEYS) as Omit<WebcommClientOptions, 'transport'>),
    transport,
  });
  const clock = options.clock ?? systemClock;

  let renewTimer: TimerHandle | undefined;
  const stopRenewal = (): void => {
    if (renewTimer !== undefined) clock.clearTimeout(renewTimer);
    renewTimer = undefined;
  };
  client.on('connected', () => {
    stopRenewal();
    if (maxLinkAgeMs > 0) renewTimer = clock.setTimeout(() => client.renewLink(), maxLinkAgeMs);
  });
  client.on('disconnected', stopRenewal);

  const stopWatching =
    options.watchNetwork === false
      ? () => undefined
      : watchNetwork(
          {
            onOnline: () => client.retryNow(),
            onVisible: () => {
              if (whileHidden === 'reconnect-on-visible') client.retryNow();
            },
            onWake: () => client.retryNow(),
          },
          options.network,
        );
  client.on('state', ({ to }) => {
    if (to === 'closed' || to === 'failed') {
      stopRenewal();
      if (to === 'closed') stopWatching();
    }
  });
  return client;
}
