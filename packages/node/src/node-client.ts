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
import { ensureIdentity, type EnsureIdentityOptions } from './ensure-identity.js';
import { mutualTlsTransport } from './mutual-tls-transport.js';

/** How an opted-in channel publishes: straight to the broker (trusted tools) or through the service API. */
export type NodePublishRoute = 'broker' | 'service';

/** Options of {@link createNodeClient}. */
export interface NodeClientOptions
  extends Omit<WebcommClientOptions, 'transport' | 'clientId' | 'channels'>,
    Pick<EnsureIdentityOptions, 'serviceUrl' | 'cacheDir' | 'fetch'> {
  /** Channels to publish on, by name, and how. Everything else is receive-only. @default {} */
  readonly publish?: Readonly<Record<string, NodePublishRoute>>;
  /** Channels beyond the registered ones (e.g. a trusted tools topic). @default [] */
  readonly extraChannels?: readonly ChannelConfig[];
  /** TLS details beyond the registration's endpoint (e.g. port 443 with ALPN). */
  readonly tls?: { readonly port?: number; readonly alpn?: string; readonly rejectUnauthorized?: boolean };
}

const CERTIFICATE_REFUSALS = new Set<string>([ERROR_CODES.CERTIFICATE_REJECTED, ERROR_CODES.CERTIFICATE_EXPIRED, ERROR_CODES.NOT_AUTHORIZED, ERROR_CODES.BAD_CREDENTIALS]);

/**
 * A {@link WebcommClient} for dedicated servers and tools: registers with the service once
 * (`OPENSSL`), caches certificate and key on disk, connects over mutual TLS, and when the broker
 * refuses a cached certificate (revoked, expired) registers again **once** before giving up.
 */
export class NodeClient extends WebcommClient {
  /** The identity in use: client id, endpoint, channels. */
  registration: RegistrationResponse;
  /** True when the identity came from the on-disk cache. */
  fromCache: boolean;
  readonly #options: NodeClientOptions;
  readonly #cacheDir: string;
  readonly #transport: { current: Transport };
  readonly #current: { registration: RegistrationResponse };
  #renewed = false;
  /** The current certificate got a CONNACK once: a later refusal means it was revoked. */
  #workedBefore = false;

  /** Use {@link createNodeClient}; this constructor takes an identity already ensured. */
  constructor(options: NodeClientOptions, identity: { registration: RegistrationResponse; fromCache: boolean; cacheDir: string }) {
    const holder = { current: transportFor(identity.registration, options) };
    const delegate: Transport = {
      name: 'mtls',
      open: (context) => holder.current.open(context),
      classifyError: (error) => holder.current.classifyError?.(error),
    };
    // On a refusal the client asks the service whether it is banned, with the current token.
    const current = { registration: identity.registration };
    const statusCheck: StatusCheck = (signal) =>
      serviceStatusCheck({ serviceUrl: options.serviceUrl, serviceToken: current.registration.serviceToken, ...(options.fetch ? { fetch: options.fetch } : {}) })(signal);
    super({
      statusCheck,
      ...options,
      transport: delegate,
      clientId: identity.registration.clientId,
      channels: channelsFor(identity.registration, options),
    });
    this.#current = current;
    this.on('connected', () => {
      this.#workedBefore = true;
      this.#renewed = false;
    });
    this.registration = identity.registration;
    this.fromCache = identity.fromCache;
    this.#options = options;
    this.#cacheDir = identity.cacheDir;
    this.#transport = holder;
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
      if (this.#renewed || !(this.fromCache || this.#workedBefore) || !CERTIFICATE_REFUSALS.has(code)) throw error;
      this.#renewed = true;
      const fresh = await ensureIdentity({ serviceUrl: this.#options.serviceUrl, cacheDir: this.#cacheDir, renew: true, ...(this.#options.fetch ? { fetch: this.#options.fetch } : {}) });
      this.registration = fresh.registration;
      this.#current.registration = fresh.registration;
      this.fromCache = false;
      this.#workedBefore = false;
      this.#transport.current = transportFor(fresh.registration, this.#options);
      await super.connect(options);
    }
  }
}

/** Registers or loads the cached identity, then builds the client (not yet connected). */
export async function createNodeClient(options: NodeClientOptions): Promise<NodeClient> {
  const identity = await ensureIdentity({ serviceUrl: options.serviceUrl, type: 'OPENSSL', ...(options.cacheDir ? { cacheDir: options.cacheDir } : {}), ...(options.fetch ? { fetch: options.fetch } : {}) });
  return new NodeClient(options, identity);
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
  const known = [...registration.channels.map((c) => ({ name: c.name, topic: c.topic })), ...(options.extraChannels ?? [])];
  return known.map((channel) => {
    const route = routes[channel.name] ?? ('publish' in channel ? channel.publish : undefined);
    if (route === 'service') {
      return { ...channel, publish: servicePublisher({ serviceUrl: options.serviceUrl, serviceToken: registration.serviceToken, ...(options.fetch ? { fetch: options.fetch } : {}) }) };
    }
    return route === undefined ? channel : { ...channel, publish: route };
  });
}
