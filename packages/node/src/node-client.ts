import {
  ERROR_CODES,
  servicePublisher,
  serviceStatusCheck,
  WebcommClient,
  type ChannelConfig,
  type OperationOptions,
  type RegistrationResponse,
  type StatusCheck,
  type Transport,
  type WebcommClientOptions,
  type WebcommError,
} from '@webcomm/core';
import {
  assertChannelKeys,
  assertClientOptionKeys,
  assertKnownOptions,
  CLIENT_OPTION_KEYS,
  createLogger,
  optionKeys,
  pickOptions,
  validateUrl,
} from '@webcomm/core/internal'; // internal: assertChannelKeys, assertClientOptionKeys, assertKnownOptions, CLIENT_OPTION_KEYS, createLogger, optionKeys, pickOptions, validateUrl
import { ensureIdentity, loadOrRegister, type EnsureIdentityOptions } from './ensure-identity.js';
import { mutualTlsTransport } from './mutual-tls-transport.js';

/** How an opted-in channel publishes: straight to the broker (trusted tools) or through the service API. */
export type NodePublishRoute = 'broker' | 'service';

/** Options of {@link createNodeClient}. */
export interface NodeClientOptions
  extends
    Omit<WebcommClientOptions, 'transport' | 'clientId' | 'channels'>,
    Pick<EnsureIdentityOptions, 'serviceUrl' | 'cacheDir' | 'onIdentityInUse' | 'fetch' | 'adminToken'> {
  /** Channels to publish on, by name, and how. Everything else is receive-only. @default {} */
  readonly publish?: Readonly<Record<string, NodePublishRoute>>;
  /** Channels beyond the registered ones (e.g. a trusted tools topic). @default [] */
  readonly extraChannels?: readonly ChannelConfig[];
  /** TLS details beyond the registration's endpoint (e.g. port 443 with ALPN). */
  readonly tls?: { readonly port?: number; readonly alpn?: string; readonly rejectUnauthorized?: boolean };
}

/** The keys {@link NodeClientOptions} adds to the core client's. */
const NODE_KEYS = optionKeys<Omit<NodeClientOptions, keyof WebcommClientOptions>>({
  serviceUrl: true,
  cacheDir: true,
  onIdentityInUse: true,
  adminToken: true,
  fetch: true,
  publish: true,
  extraChannels: true,
  tls: true,
});
const TLS_KEYS = optionKeys<NonNullable<NodeClientOptions['tls']>>({
  port: true,
  alpn: true,
  rejectUnauthorized: true,
});
/** The core keys the node client sets itself from the registration. */
const SET_FROM_REGISTRATION = new Set(['transport', 'clientId', 'channels']);
const KEYS = [...CLIENT_OPTION_KEYS.filter((k) => !SET_FROM_REGISTRATION.has(k)), ...NODE_KEYS];

/** Refuses unknown keys (with the closest valid one) and a bad `serviceUrl` before anything is registered. */
function checkOptions(options: NodeClientOptions, where: string): void {
  assertClientOptionKeys(options, where, KEYS);
  assertChannelKeys(options.extraChannels, where, 'extraChannels');
  assertKnownOptions(options.tls, TLS_KEYS, where, 'tls');
  validateUrl(options.serviceUrl, 'serviceUrl', ['https:', 'http:']);
}

const CERTIFICATE_REFUSALS = new Set<string>([
  ERROR_CODES.CERTIFICATE_REJECTED,
  ERROR_CODES.CERTIFICATE_EXPIRED,
  ERROR_CODES.NOT_AUTHORIZED,
  ERROR_CODES.BAD_CREDENTIALS,
]);

/**
 * A {@link WebcommClient} for dedicated servers and tools: registers with the service once
 * (`OPENSSL`), caches certificate and key on disk, connects over mutual TLS, and when the broker
 * refuses a cached certificate (revoked, expired) registers again **once** before giving up.
 */
export class NodeClient extends WebcommClient {
  // Private: the registration holds the private key and the service token.
  #registration: RegistrationResponse;
  #fromCache: boolean;
  readonly #options: NodeClientOptions;
  readonly #cacheDir: string;
  readonly #transport: { current: Transport };
  readonly #release: () => Promise<void>;
  readonly #current: { registration: RegistrationResponse };
  #renewed = false;
  /** The current certificate got a CONNACK once: a later refusal means it was revoked. */
  #workedBefore = false;

  /** Use {@link createNodeClient}; this constructor takes an identity already ensured. */
  constructor(
    options: NodeClientOptions,
    identity: {
      registration: RegistrationResponse;
      fromCache: boolean;
      cacheDir: string;
      release?: () => Promise<void>;
    },
  ) {
    checkOptions(options, 'NodeClient');
    const holder = { current: transportFor(identity.registration, options) };
    const delegate: Transport = {
      name: 'mtls',
      open: (context) => holder.current.open(context),
      classifyError: (error) => holder.current.classifyError?.(error),
    };
    // On a refusal the client asks the service whether it is banned, with the current token.
    const current = { registration: identity.registration };
    const statusCheck: StatusCheck = (signal) =>
      serviceStatusCheck({
        serviceUrl: options.serviceUrl,
        serviceToken: current.registration.serviceToken,
        ...(options.fetch ? { fetch: options.fetch } : {}),
      })(signal);
    super({
      statusCheck,
      ...pickOptions(options, CLIENT_OPTION_KEYS),
      transport: delegate,
      clientId: identity.registration.clientId,
      channels: channelsFor(identity.registration, options),
    });
    this.#current = current;
    this.on('connected', () => {
      this.#workedBefore = true;
      this.#renewed = false;
    });
    this.#registration = identity.registration;
    this.#fromCache = identity.fromCache;
    this.#options = options;
    this.#cacheDir = identity.cacheDir;
    this.#transport = holder;
    this.#release = identity.release ?? (() => Promise.resolve());
  }

  /** Closes (see {@link WebcommClient.close}) and releases this process's lock on the cached identity. */
  override async close(): Promise<void> {
    try {
      await super.close();
    } finally {
      await this.#release();
    }
  }

  /**
   * The identity in use: client id, endpoint, channels (and the certificate, key and service
   * token, which printing it shows as `[REDACTED]`).
   */
  get registration(): RegistrationResponse {
    return this.#registration;
  }

  /** True when the identity came from the on-disk cache. */
  get fromCache(): boolean {
    return this.#fromCache;
  }

  /** What `JSON.stringify` and `console.log` show: the client's, plus where the identity came from; no secrets. */
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), fromCache: this.#fromCache, cacheDir: this.#cacheDir };
  }

  /**
   * Connects; a certificate the broker refuses that came from the cache, or that worked before
   * (revoked since, e.g. by a ban that was lifted), is replaced by one re-registration. A client
   * the service reports banned fails with `BANNED` and does not register again.
   */
  override async connect(options: OperationOptions = {}): Promise<void> {
    try {
      await super.connect(options);
    } catch (error) {
      const code = (error as WebcommError).code;
      if (this.#renewed || !(this.#fromCache || this.#workedBefore) || !CERTIFICATE_REFUSALS.has(code)) throw error;
      this.#renewed = true;
      // This process holds the lock on #cacheDir: re-register in place.
      const fresh = await loadOrRegister(this.#cacheDir, { ...identityOptions(this.#options), renew: true });
      this.#registration = fresh.registration;
      this.#current.registration = fresh.registration;
      this.#fromCache = false;
      this.#workedBefore = false;
      this.#transport.current = transportFor(fresh.registration, this.#options);
      await super.connect(options);
    }
  }
}

/**
 * Registers or loads the cached identity, then builds the client (not yet connected). The first
 * registration of a certificate needs the operator: pass `adminToken` (its `publish: 'broker'`
 * channels are then asked as grants), or pre-register with `webcomm register-client --out
 * <cacheDir>`. The identity stays locked to this process until `close()` (see `cacheDir`): a
 * second process on the same host gets its own identity instead of taking this one over.
 */
export async function createNodeClient(options: NodeClientOptions): Promise<NodeClient> {
  checkOptions(options, 'createNodeClient()');
  const identity = await ensureIdentity({
    ...identityOptions(options),
    ...(options.cacheDir ? { cacheDir: options.cacheDir } : {}),
    ...(options.onIdentityInUse ? { onIdentityInUse: options.onIdentityInUse } : {}),
  });
  try {
    return new NodeClient(options, identity);
  } catch (error) {
    await identity.release();
    throw error;
  }
}

function identityOptions(options: NodeClientOptions): EnsureIdentityOptions {
  const brokerChannels = Object.entries(options.publish ?? {})
    .filter(([, route]) => route === 'broker')
    .map(([name]) => name);
  return {
    serviceUrl: options.serviceUrl,
    type: 'OPENSSL',
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.logger ? { logger: createLogger(options.logger, options.logLevel ?? 'info') } : {}),
    ...(options.adminToken === undefined
      ? {}
      : { adminToken: options.adminToken, ...(brokerChannels.length > 0 ? { publish: brokerChannels } : {}) }),
  };
}

function transportFor(registration: RegistrationResponse, options: NodeClientOptions): Transport {
  const { certificatePem, privateKeyPem, caPem } = registration;
  return mutualTlsTransport({
    host: registration.endpoint.host,
    port: options.tls?.port ?? registration.endpoint.port,
    ...(certificatePem === undefined ? {} : { cert: certificatePem }),
    ...(privateKeyPem === undefined ? {} : { key: privateKeyPem }),
    ...(caPem === undefined ? {} : { ca: caPem }),
    ...(options.tls?.alpn === undefined ? {} : { alpn: options.tls.alpn }),
    ...(options.tls?.rejectUnauthorized === undefined ? {} : { rejectUnauthorized: options.tls.rejectUnauthorized }),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
  });
}

function channelsFor(registration: RegistrationResponse, options: NodeClientOptions): ChannelConfig[] {
  const routes = options.publish ?? {};
  const known = [
    ...registration.channels.map((c) => ({ name: c.name, topic: c.topic })),
    ...(options.extraChannels ?? []),
  ];
  return known.map((channel) => {
    const route = routes[channel.name] ?? ('publish' in channel ? channel.publish : undefined);
    if (route === 'service') {
      return {
        ...channel,
        publish: servicePublisher({
          serviceUrl: options.serviceUrl,
          serviceToken: registration.serviceToken,
          ...(options.fetch ? { fetch: options.fetch } : {}),
        }),
      };
    }
    return route === undefined ? channel : { ...channel, publish: route };
  });
}
