/** Options of {@link startEmulator}, declared once with their defaults and validation. */
import { join } from 'node:path';
import { ERROR_CODES, WebcommError } from '@webcomm/core';
import { assertKnownOptions, optionKeys } from '@webcomm/core/internal';
import type { CustomAuthorizerConfig } from './auth/custom-authorizer.js';
import type { IotLimits } from './broker/iot-limits.js';
import { IOT_LIMITS } from './broker/iot-limits.js';
import type { Clock } from './clock.js';
import { systemClock } from './clock.js';
import type { Logger } from './logger.js';
import { consoleLogger } from './logger.js';
import type { ChannelCatalog, RouteHandler, ServiceDeps, UserDirectory } from './service/contracts.js';
import type { RateLimit } from '@webcomm/service';
import type { CompiledRule, TopicRule } from './rules/topic-rule-engine.js';
import { compileTopicRules } from './rules/topic-rule-engine.js';

/** Listener ports; 0 lets the OS choose (the chosen port is reported in `endpoints`). */
export interface EmulatorPorts {
  /** MQTT over plain TCP (development only). @default 0 */
  readonly mqtt?: number;
  /** MQTT over TLS with client certificates (ALPN `x-amzn-mqtt-ca`, `mqtt` or none). @default 0 */
  readonly mqtts?: number;
  /** HTTP API and MQTT over WebSocket (`ws://…/mqtt`). @default 0 */
  readonly http?: number;
  /** HTTPS API and MQTT over secure WebSocket (`wss://…/mqtt`). @default 0 */
  readonly https?: number;
}

/** Options of {@link startEmulator}. */
export interface EmulatorOptions {
  /** Directory keeping the CA, identities, credentials and admin token. @default "./.webcomm-data" */
  readonly dataDir?: string;
  /** Address every listener binds. @default "127.0.0.1" */
  readonly host?: string;
  /** Host name advertised to clients and put in the server certificate. @default the `host` option */
  readonly advertisedHost?: string;
  /** @default all 0 (the OS chooses; `webcomm serve` uses 8080, 8443, 8883 and 1883 instead) */
  readonly ports?: EmulatorPorts;
  /** AWS-style region of the identity pool and SigV4 scope. @default "local-1" */
  readonly region?: string;
  /** Account id used in policy ARNs. @default "000000000000" */
  readonly accountId?: string;
  /** Lifetime of credentials from `GetCredentialsForIdentity`, ms. @default 3600000 (1 h) */
  readonly credentialTtlMs?: number;
  /**
   * Lifetime of the Cognito OpenID token a WEBSOCKET registration returns, ms (AWS's
   * `GetOpenIdTokenForDeveloperIdentity` default). Clients register again for a fresh one.
   * @default 900000 (15 min)
   */
  readonly openIdTokenTtlMs?: number;
  /**
   * How long a persistent session (`clean: false`) outlives its connection, ms; at most 7 days, as on
   * IoT Core. An MQTT 5 client's longer Session Expiry Interval is lowered to it. @default 3600000 (1 h)
   */
  readonly sessionExpiryMs?: number;
  /** Longest life of a WebSocket connection, ms. @default 86400000 (24 h) */
  readonly webSocketTtlMs?: number;
  /** Validity of issued client certificates, days. @default 365 */
  readonly certificateValidityDays?: number;
  /** Custom authorizers by name (`x-amz-customauthorizer-name`). @default {} */
  readonly authorizers?: Readonly<Record<string, CustomAuthorizerConfig>>;
  /**
   * Accept clients without credentials on the plain `mqtt` and `ws` listeners (IoT Core never
   * does). Such a link may only receive the broadcast channels, and may not use the client id of
   * a registered client or of a live authenticated connection. @default false
   */
  readonly allowAnonymous?: boolean;
  /**
   * Time a new MQTT connection has, from the listener handing it over (after the TLS handshake or
   * WebSocket upgrade) until its CONNECT is authenticated (just before CONNACK), ms; the TLS handshake gets the same. @default 10000
   */
  readonly connectTimeoutMs?: number;
  /**
   * Connections from one source address that may be open without having completed CONNECT; more
   * are closed at once. Bounds what an unauthenticated peer can hold. Counted from the handover
   * (after the TLS handshake or WebSocket upgrade, which have their own deadlines). @default 100
   */
  readonly maxPendingConnectionsPerAddress?: number;
  /** Let the default policy receive presence events (`$aws/events/presence/+/+`). @default false */
  readonly presenceInDefaultPolicy?: boolean;
  /** IoT Core limits; override single values (e.g. a short keepalive minimum in tests). @default IoT Core's */
  readonly limits?: Partial<IotLimits>;
  /** Point WEBSOCKET registrations at `wss://` (trust `caPem`) instead of `ws://`. @default false */
  readonly secureWebSocket?: boolean;
  /** The user table. @default the service's user directory under `dataDir` */
  readonly users?: UserDirectory;
  /** The channel configuration. @default the service's default channels */
  readonly channels?: ChannelCatalog;
  /** Builds the service routes, mounted after the emulator's own (Cognito). @default the service's routes */
  readonly routes?: (deps: ServiceDeps) => RouteHandler;
  /**
   * Registrations (`POST /register`) per source address: `burst` at once, then `perSecond`; more get
   * 429 `RATE_LIMITED` with `Retry-After`. Requests with the admin token are not limited.
   * @default { burst: 20, perSecond: 1 }
   */
  readonly registrationRateLimit?: RateLimit;
  /**
   * Let anyone register as OPENSSL and get a client certificate without the admin token. Off, as
   * the Web Communicator documents it: clients self-register as WEBSOCKET, certificates come from
   * the operator (`webcomm register-client`, or `createNodeClient({ adminToken })`).
   * @default false
   */
  readonly certificateSelfRegistration?: boolean;
  /**
   * Server-side rules on client messages (AWS IoT's rules engine with a Lambda action): each
   * `{name, sql, handler}` runs `handler(message, context)` for every message a client publishes on
   * a topic matching the SQL's `FROM` filter, after the policy allowed it, with the publisher's
   * client id and principal. SQL: `SELECT * FROM 'filter'`, optionally with `topic() AS x`,
   * `topic(N) AS x`, `clientid() AS x`; anything else is `WEBCOMM_INVALID_RULE`. Handlers never
   * delay the publisher; their errors are logged. @default []
   */
  readonly rules?: readonly TopicRule[];
  /** @default stderr */
  readonly logger?: Logger;
  /** Time source for credentials, URL expiry and disconnect timers. @default the system clock */
  readonly clock?: Clock;
}

/** Options after defaults. */
export interface ResolvedEmulatorOptions extends Required<
  Omit<EmulatorOptions, 'users' | 'channels' | 'routes' | 'limits' | 'ports' | 'authorizers' | 'rules'>
> {
  /** The rules with their SQL parsed. */
  readonly rules: readonly CompiledRule[];
  readonly registrationRateLimit: RateLimit;
  readonly ports: Required<EmulatorPorts>;
  readonly limits: IotLimits;
  readonly authorizers: ReadonlyMap<string, CustomAuthorizerConfig>;
  readonly users: UserDirectory | undefined;
  readonly channels: ChannelCatalog | undefined;
  readonly routes: EmulatorOptions['routes'];
}

/** Default values. */
export const DEFAULTS = {
  dataDir: '.webcomm-data',
  host: '127.0.0.1',
  region: 'local-1',
  accountId: '000000000000',
  credentialTtlMs: 3_600_000,
  openIdTokenTtlMs: 900_000,
  sessionExpiryMs: 3_600_000,
  webSocketTtlMs: 86_400_000,
  certificateValidityDays: 365,
  allowAnonymous: false,
  connectTimeoutMs: 10_000,
  maxPendingConnectionsPerAddress: 100,
  presenceInDefaultPolicy: false,
  secureWebSocket: false,
  registrationRateLimit: { burst: 20, perSecond: 1 },
  certificateSelfRegistration: false,
} as const;

function bad(option: string, problem: string): WebcommError {
  return new WebcommError(ERROR_CODES.INVALID_OPTION, `startEmulator: option "${option}" ${problem}.`, { fatal: true });
}

function positive(option: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0)
    throw bad(option, `must be a positive number of milliseconds or days (got ${String(value)})`);
  return value;
}

/** IoT Core keeps a persistent session at most 7 days. */
const MAX_SESSION_EXPIRY_MS = 604_800_000;

function sessionExpiry(value: number): number {
  if (positive('sessionExpiryMs', value) > MAX_SESSION_EXPIRY_MS)
    throw bad(
      'sessionExpiryMs',
      `must be at most ${MAX_SESSION_EXPIRY_MS} (7 days, IoT Core's longest session expiry)`,
    );
  return value;
}

function count(option: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw bad(option, `must be a positive integer (got ${String(value)})`);
  return value;
}

function port(option: string, value: number | undefined): number {
  const resolved = value ?? 0;
  if (!Number.isInteger(resolved) || resolved < 0 || resolved > 65_535)
    throw bad(option, `must be an integer port in 0-65535, 0 letting the OS choose (got ${String(value)})`);
  return resolved;
}

const KEYS = optionKeys<EmulatorOptions>({
  dataDir: true,
  host: true,
  advertisedHost: true,
  ports: true,
  region: true,
  accountId: true,
  credentialTtlMs: true,
  openIdTokenTtlMs: true,
  sessionExpiryMs: true,
  webSocketTtlMs: true,
  certificateValidityDays: true,
  authorizers: true,
  allowAnonymous: true,
  connectTimeoutMs: true,
  maxPendingConnectionsPerAddress: true,
  presenceInDefaultPolicy: true,
  limits: true,
  secureWebSocket: true,
  users: true,
  channels: true,
  routes: true,
  registrationRateLimit: true,
  certificateSelfRegistration: true,
  rules: true,
  logger: true,
  clock: true,
});

/** Refuses unknown keys (a typo is named with the closest valid key), nested ones too. */
function assertKnownKeys(options: EmulatorOptions): void {
  const where = 'startEmulator()';
  assertKnownOptions(options, KEYS, where);
  assertKnownOptions(
    options.ports,
    optionKeys<EmulatorPorts>({ mqtt: true, mqtts: true, http: true, https: true }),
    where,
    'ports',
  );
  assertKnownOptions(options.limits, Object.keys(IOT_LIMITS), where, 'limits');
  assertKnownOptions(
    options.registrationRateLimit,
    optionKeys<RateLimit>({ burst: true, perSecond: true }),
    where,
    'registrationRateLimit',
  );
  for (const [name, config] of Object.entries(options.authorizers ?? {})) {
    assertKnownOptions(
      config,
      optionKeys<CustomAuthorizerConfig>({ handler: true, tokenKeyName: true }),
      where,
      `authorizers.${name}`,
    );
  }
}

/** Applies defaults and validates; throws `WEBCOMM_INVALID_OPTION` naming the bad option. */
export function resolveOptions(options: EmulatorOptions = {}): ResolvedEmulatorOptions {
  assertKnownKeys(options);
  const region = options.region ?? DEFAULTS.region;
  if (!/^[a-z0-9-]{1,32}$/.test(region))
    throw bad('region', 'must be lower-case letters, digits and dashes, like "local-1"');
  const limits = { ...IOT_LIMITS, ...options.limits };
  if (limits.minKeepaliveSeconds > limits.maxKeepaliveSeconds)
    throw bad('limits.minKeepaliveSeconds', 'must not exceed limits.maxKeepaliveSeconds');
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isInteger(value) || value < 1) throw bad(`limits.${name}`, 'must be a positive integer');
  }
  const authorizers = new Map(Object.entries(options.authorizers ?? {}));
  for (const [name, config] of authorizers) {
    if (typeof config.handler !== 'function') throw bad(`authorizers.${name}.handler`, 'must be an async function');
  }
  const host = options.host ?? DEFAULTS.host;
  const registrationRateLimit = options.registrationRateLimit ?? DEFAULTS.registrationRateLimit;
  if (
    !Number.isInteger(registrationRateLimit.burst) ||
    registrationRateLimit.burst < 1 ||
    !(registrationRateLimit.perSecond > 0) ||
    !Number.isFinite(registrationRateLimit.perSecond)
  ) {
    throw bad('registrationRateLimit', 'must be {burst: integer ≥ 1, perSecond: number > 0}');
  }
  return {
    dataDir: options.dataDir ?? join(process.cwd(), DEFAULTS.dataDir),
    host,
    advertisedHost: options.advertisedHost ?? host,
    ports: {
      mqtt: port('ports.mqtt', options.ports?.mqtt),
      mqtts: port('ports.mqtts', options.ports?.mqtts),
      http: port('ports.http', options.ports?.http),
      https: port('ports.https', options.ports?.https),
    },
    region,
    accountId: options.accountId ?? DEFAULTS.accountId,
    credentialTtlMs: positive('credentialTtlMs', options.credentialTtlMs ?? DEFAULTS.credentialTtlMs),
    openIdTokenTtlMs: positive('openIdTokenTtlMs', options.openIdTokenTtlMs ?? DEFAULTS.openIdTokenTtlMs),
    sessionExpiryMs: sessionExpiry(options.sessionExpiryMs ?? DEFAULTS.sessionExpiryMs),
    webSocketTtlMs: positive('webSocketTtlMs', options.webSocketTtlMs ?? DEFAULTS.webSocketTtlMs),
    certificateValidityDays: positive(
      'certificateValidityDays',
      options.certificateValidityDays ?? DEFAULTS.certificateValidityDays,
    ),
    authorizers,
    allowAnonymous: options.allowAnonymous ?? DEFAULTS.allowAnonymous,
    connectTimeoutMs: positive('connectTimeoutMs', options.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs),
    maxPendingConnectionsPerAddress: count(
      'maxPendingConnectionsPerAddress',
      options.maxPendingConnectionsPerAddress ?? DEFAULTS.maxPendingConnectionsPerAddress,
    ),
    presenceInDefaultPolicy: options.presenceInDefaultPolicy ?? DEFAULTS.presenceInDefaultPolicy,
    secureWebSocket: options.secureWebSocket ?? DEFAULTS.secureWebSocket,
    registrationRateLimit,
    certificateSelfRegistration: options.certificateSelfRegistration ?? DEFAULTS.certificateSelfRegistration,
    limits,
    users: options.users,
    channels: options.channels,
    routes: options.routes,
    rules: compileTopicRules(options.rules),
    logger: options.logger ?? consoleLogger,
    clock: options.clock ?? systemClock,
  };
}
