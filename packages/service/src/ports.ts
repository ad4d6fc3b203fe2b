/**
 * The ports of the service: the small interfaces the route code needs, each implemented once
 * per home. The emulator implements them over its embedded database, local CA, Cognito
 * emulation and aedes; `@webcomm/aws-service` over DynamoDB, AWS IoT, Cognito and the IoT data
 * plane. The routes know nothing else of either.
 */
import type { ChannelInfo, ConnectionType, UserStatus } from '@webcomm/core';
import type { UserRecord } from '@webcomm/core/internal';

/** The user table (the gem's ClientRegistry): one record per client id. */
export interface UserStore {
  /** The user, or undefined when unknown. */
  get(id: string): Promise<UserRecord | undefined>;
  /** Creates the user as `active` when new; returns the stored record either way. */
  ensure(id: string, kind: ConnectionType): Promise<UserRecord>;
  /** Every user (the admin API pages them). */
  list(): Promise<UserRecord[]>;
  setStatus(id: string, status: UserStatus): Promise<UserRecord>;
  /** Replaces the channels the user may publish on straight to the broker (operator grants). */
  setBrokerPublish(id: string, channels: readonly string[]): Promise<UserRecord>;
}

/** Bearer tokens of the client routes, one or more per client; stored hashed. */
export interface TokenStore {
  /** A new token for `clientId`. */
  issue(clientId: string): Promise<string>;
  /** The client id a token belongs to, or undefined. */
  resolve(token: string): Promise<string | undefined>;
}

/** Signs service tokens for an IoT custom authorizer with token signing enabled. */
export interface TokenSigner {
  /** The base64 signature IoT verifies with the authorizer's public key (RSA-SHA256 of the token). */
  sign(token: string): Promise<string>;
}

/** The channels as configured. */
export interface ChannelDirectory {
  /** Channels as seen by one client (private channel topics include its id). */
  forClient(clientId: string): ChannelInfo[];
  /** Channel by name for one client, or undefined. */
  find(name: string, clientId: string): ChannelInfo | undefined;
  /** Topics of the channels whose direct broker publish the operator may grant (`trustedPublish`). */
  trustedPublishTopics?(clientId: string): string[];
}

/** A Cognito OpenID token (a JWT) and its expiry. Secret. */
export interface IdentityToken {
  readonly token: string;
  readonly expiresAt: Date;
}

/** Cognito identities (developer-authenticated for registered WEBSOCKET clients). */
export interface IdentityPort {
  readonly identityPoolId: string;
  readonly region: string;
  /**
   * A client id for a new WEBSOCKET registration that names none. On AWS the client id must be
   * the Cognito identity id (the player policy's `${cognito-identity.amazonaws.com:sub}`), which
   * Cognito assigns, so the AWS adapter creates the identity here. @default `{region}:{uuid}`
   */
  allocateClientId?(): Promise<string>;
  /** Makes sure a developer-authenticated identity exists for this client id; returns its identity id. */
  ensureIdentity(clientId: string): Promise<string>;
  /** True when a Cognito identity with this id exists (a guest's included). */
  hasIdentity(identityId: string): Promise<boolean>;
  /** A fresh OpenID token for the identity (`GetOpenIdTokenForDeveloperIdentity`). */
  openIdToken(identityId: string): IdentityToken | Promise<IdentityToken>;
  /** Stops the identity's access (the emulator invalidates credentials; AWS detaches the IoT policy). */
  revokeIdentity(clientId: string): Promise<void>;
  /** Gives a revoked identity its access back (unban). @default nothing to restore */
  restoreIdentity?(clientId: string): Promise<void>;
}

/** A freshly issued client certificate. */
export interface ClientCertificate {
  readonly certificatePem: string;
  /** PKCS#8 or PKCS#1 PEM. Secret. */
  readonly privateKeyPem: string;
  /** CA to trust for the broker (undefined: the public Amazon roots in every trust store). */
  readonly caPem?: string;
  readonly expiresAt: Date;
}

/** Client certificates (OPENSSL clients: dedicated servers, tools). */
export interface CertificatePort {
  /** The broker's CA, handed to every client (undefined on AWS: Amazon's roots are public). */
  readonly caPem?: string;
  issueClientCertificate(clientId: string): Promise<ClientCertificate>;
  /** Revokes (AWS: INACTIVE and policy detached) every certificate of this client. */
  revokeClient(clientId: string): Promise<void>;
  /** Reactivates the client's certificates (unban). @default nothing to restore: register again */
  restoreClient?(clientId: string): Promise<void>;
}

/** A live connection as the admin API shows it. */
export interface LiveConnection {
  readonly clientId: string;
  readonly principalId: string;
  readonly transport?: string;
  readonly keepalive?: number;
  readonly clean?: boolean;
}

/** What the service may ask of the broker. */
export interface BrokerAdminPort {
  /** Drops every live connection of this principal (client id or identity); returns how many. */
  disconnectPrincipal(principalId: string, reason: string): number | Promise<number>;
  /** Drops this client's live connection without banning it; false when not connected. */
  disconnectClient(clientId: string): boolean | Promise<boolean>;
  /** Connected client ids, where the broker can tell (IoT Core cannot list them). */
  connectedClients?(): string[] | Promise<string[]>;
  /** Live connections with how they connected. */
  connections?(): readonly LiveConnection[] | Promise<readonly LiveConnection[]>;
}

/** The client a message is published for (`POST /publish`), so server-side rules see who sent it. */
export interface MessagePublisher {
  readonly clientId: string;
  readonly principalId: string;
}

/** How the service publishes one message. */
export interface ServicePublishOptions {
  readonly qos: 0 | 1;
  readonly retain?: boolean;
  /** The client the message is published for (`POST /publish`); absent for the service's own. */
  readonly publisher?: MessagePublisher;
  /**
   * The message's id, fresh for each publish: an adapter sends it as the MQTT 5 user property
   * `MESSAGE_ID_PROPERTY` (`webcomm-message-id`), so a client delivers the message once even
   * when the broker resends it under a new packet id. 3.1.1 subscribers never see it.
   */
  readonly messageId: string;
}

/** Publishes as the service (no client policy applies). */
export interface PublishPort {
  publish(topic: string, payload: Uint8Array, options: ServicePublishOptions): Promise<void>;
}

/** Where the registration answer points clients. */
export interface ServiceEndpoints {
  readonly websocket: { readonly host: string; readonly port: number; readonly url: string };
  /**
   * For a registration that came over TLS, when `websocket` is plain `ws://`: a page served over
   * HTTPS may not open `ws://` (mixed content), so it gets this `wss://` endpoint instead.
   */
  readonly secureWebsocket?: { readonly host: string; readonly port: number; readonly url: string };
  readonly mutualTls: { readonly host: string; readonly port: number };
  /** The Cognito Identity endpoint when it is not AWS's default for the region (the emulator's). */
  readonly cognito?: string;
}

/** Everything the routes run on. */
export interface ServicePorts {
  readonly users: UserStore;
  readonly tokens: TokenStore;
  readonly channels: ChannelDirectory;
  readonly identities: IdentityPort;
  readonly certificates: CertificatePort;
  readonly broker: BrokerAdminPort;
  readonly publisher: PublishPort;
  readonly endpoints: ServiceEndpoints;
  /** Signs each issued service token (AWS custom authorizer with signing). @default tokens are not signed */
  readonly tokenSigner?: TokenSigner;
}
