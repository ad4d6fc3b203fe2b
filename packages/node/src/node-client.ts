import {
  ERROR_CODES,
  servicePublisher,
  WebcommClient,
  type ChannelConfig,
  type OperationOptions,
  type RegistrationResponse,
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
    Pick<EnsureIdentityOptions, 'serviceUrl' | 'cacheDir' | 'fetch' | 'adminToken'> {
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
  #renewed = false;

  /** Use {@link createNodeClient}; this constructor takes an identity already ensured. */
  constructor(options: NodeClientOptions, identity: { registration: RegistrationResponse; fromCache: boolean; cacheDir: string }) {
    const holder = { current: transportFor(identity.registration, options) };
    const delegate: Transport = {
      name: 'mtls',
      open: (context) => holder.current.open(context),
      classifyError: (error) => holder.current.classifyError?.(error),
    };
    super({ ...options, transport: delegate, clientId: identity.registration.clientId, channels: channelsFor(identity.registration, options) });
    this.registration = identity.registration;
    this.fromCache = identity.fromCache;
    this.#options = options;
    this.#cacheDir = identity.cacheDir;
    this.#transport = holder;
  }

  /** Connects; a cached certificate the broker refuses is replaced by one re-registration. */
  override async connect(options: OperationOptions = {}): Promise<void> {
    try {
      await super.connect(options);
    } catch (error) {
      const code = (error as WebcommError).code;
      if (this.#renewed || !this.fromCache || !CERTIFICATE_REFUSALS.has(code)) throw error;
      this.#renewed = true;
      const fresh = await ensureIdentity({ ...identityOptions(this.#options), cacheDir: this.#cacheDir, renew: true });
      this.registration = fresh.registration;
      this.fromCache = false;
      this.#transport.current = transportFor(fresh.registration, this.#options);
      await super.connect(options);
    }
  }
}

/**
 * Registers or loads the cached identity, then builds the client (not yet connected). The first
 * registration of a certificate needs the operator: pass `adminToken` (its `publish: 'broker'`
 * channels are then asked as grants), or pre-register with `webcomm register-client --out
 * <cacheDir>`.
 */
export async function createNodeClient(options: NodeClientOptions): Promise<NodeClient> {
  const identity = await ensureIdentity({ ...identityOptions(options), ...(options.cacheDir ? { cacheDir: options.cacheDir } : {}) });
  return new NodeClient(options, identity);
}

function identityOptions(options: NodeClientOptions): EnsureIdentityOptions {
  const brokerChannels = Object.entries(options.publish ?? {}).filter(([, route]) => route === 'broker').map(([name]) => name);
  return {
    serviceUrl: options.serviceUrl,
    type: 'OPENSSL',
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.adminToken === undefined ? {} : { adminToken: options.adminToken, ...(brokerChannels.length > 0 ? { publish: brokerChannels } : {}) }),
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
  const known = [...registration.channels.map((c) => ({ name: c.name, topic: c.topic })), ...(options.extraChannels ?? [])];
  return known.map((channel) => {
    const route = routes[channel.name] ?? ('publish' in channel ? channel.publish : undefined);
    if (route === 'service') {
      return { ...channel, publish: servicePublisher({ serviceUrl: options.serviceUrl, serviceToken: registration.serviceToken, ...(options.fetch ? { fetch: options.fetch } : {}) }) };
    }
    return route === undefined ? channel : { ...channel, publish: route };
  });
}
