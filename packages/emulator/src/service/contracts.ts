/**
 * The seam between the emulator's broker side (listeners, auth, CA, Cognito, presence)
 * and its service side (users, channels, registration, publish API, admin).
 * The broker side implements {@link BrokerControl}, {@link CertificateAuthority} and
 * {@link IdentityIssuer}; the service side implements {@link UserDirectory} and
 * {@link ChannelCatalog} and the HTTP routes built on {@link ServiceDeps}.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ChannelInfo, ConnectionType, UserStatus } from '@webcomm/core';
import type { UserRecord } from '@webcomm/core/internal';
import type { MessageProperties } from '../broker/message-properties.js';

/** The user table (embedded database under the data directory). */
export interface UserDirectory {
  /** The user, or undefined when unknown. */
  get(id: string): Promise<UserRecord | undefined>;
  /** Creates the user as `active` when new; returns the stored record either way. */
  ensure(id: string, kind: ConnectionType): Promise<UserRecord>;
  list(): Promise<UserRecord[]>;
  setStatus(id: string, status: UserStatus): Promise<UserRecord>;
  /** Replaces the channels the user may publish on straight to the broker (operator grants). */
  setBrokerPublish(id: string, channels: readonly string[]): Promise<UserRecord>;
  /** Records a successful connection (last seen). */
  touch(id: string, at: Date): Promise<void>;
  /** Synchronous cache of banned ids, for the broker's per-packet checks. */
  isBanned(id: string): boolean;
  close(): Promise<void>;
}

/** Channel configuration (file or defaults). */
export interface ChannelCatalog {
  /** Channels as seen by one client (private channel topics include its id). */
  forClient(clientId: string): ChannelInfo[];
  /** Channel by name for one client, or undefined. */
  find(name: string, clientId: string): ChannelInfo | undefined;
  /**
   * Every topic a client may subscribe to and receive on by default, granted exactly: `+` and
   * `#` here are plain characters (a client id such as `#` must never become a wildcard).
   */
  receiveTopics(clientId: string): string[];
  /**
   * MQTT filters, wildcards live, that every client may subscribe to and receive on. Taken from
   * configuration only: never built from a client id.
   */
  sharedReceiveFilters?(): string[];
  /**
   * Topics of the channels whose direct broker publish the operator may grant to an identity
   * (`trustedPublish`). A grant outside these has no effect.
   */
  trustedPublishTopics?(clientId: string): string[];
}

/** A freshly issued client certificate. */
export interface IssuedCertificate {
  readonly certificatePem: string;
  /** PKCS#8 PEM. Secret. */
  readonly privateKeyPem: string;
  readonly caPem: string;
  readonly serialNumber: string;
  readonly expiresAt: Date;
}

/** The local CA (created on first start, kept in the data directory). */
export interface CertificateAuthority {
  readonly caPem: string;
  issueClientCertificate(clientId: string): Promise<IssuedCertificate>;
  /** Revokes every certificate issued to this client; live TLS sessions are dropped by the broker. */
  revokeClient(clientId: string): Promise<void>;
  isRevoked(serialNumber: string): boolean;
}

/** A Cognito OpenID token (a JWT) and its expiry. Secret. */
export interface OpenIdToken {
  readonly token: string;
  readonly expiresAt: Date;
}

/** Issuer of Cognito-style identities and credentials. */
export interface IdentityIssuer {
  readonly identityPoolId: string;
  readonly region: string;
  /**
   * Makes sure a developer-authenticated identity exists for this client id (WEBSOCKET
   * registration): its credentials then need its OpenID token, not just its id.
   */
  ensureIdentity(clientId: string): Promise<string>;
  /** True when a Cognito identity with this id exists (a guest's, from `GetId`, included). */
  hasIdentity(identityId: string): Promise<boolean>;
  /**
   * A fresh OpenID token for the identity (AWS's `GetOpenIdTokenForDeveloperIdentity`):
   * `GetCredentialsForIdentity` requires it under `Logins["cognito-identity.amazonaws.com"]`.
   */
  openIdToken(identityId: string): OpenIdToken;
  /** Invalidates every credential issued to this identity. */
  revokeIdentity(clientId: string): Promise<void>;
}

/** The client a message is published for. */
export interface MessagePublisher {
  readonly clientId: string;
  readonly principalId: string;
}

/** What the service side may ask of the broker. */
export interface BrokerControl {
  /**
   * Publishes as the service (bypasses client policies). `publisher`: the client the service
   * publishes for (`POST /publish`), so server-side rules see who sent it. `properties`: MQTT 5
   * properties for MQTT 5 subscribers (the message id the service stamps).
   */
  publish(
    topic: string,
    payload: Uint8Array,
    options?: { qos?: 0 | 1; retain?: boolean; publisher?: MessagePublisher; properties?: MessageProperties },
  ): Promise<void>;
  /** Drops every live connection of this principal; returns how many were dropped. */
  disconnectPrincipal(principalId: string, reason: string): number;
  /**
   * Drops the live connection of this client id, without banning it (IoT's `DeleteConnection`):
   * presence says `API_INITIATED_DISCONNECT` and the client may reconnect. False when not connected.
   */
  disconnectClient(clientId: string): boolean;
  /** Client ids currently connected. */
  connectedClients(): string[];
  /** Live connections with how they connected (the portal's user detail). */
  connections?(): readonly {
    readonly clientId: string;
    readonly principalId: string;
    readonly transport?: string;
    readonly keepalive?: number;
    readonly clean?: boolean;
  }[];
  /** Calls `listener` for every message on `filter` (the portal's live tail); returns a stop function. */
  tap(filter: string, listener: (topic: string, payload: Uint8Array) => void): () => void;
}

/** Endpoints the registration answer points clients at. */
export interface AdvertisedEndpoints {
  readonly websocket: { host: string; port: number; url: string };
  /** For registrations over HTTPS: `wss://` (see `ServiceEndpoints.secureWebsocket`). */
  readonly secureWebsocket?: { host: string; port: number; url: string };
  readonly mutualTls: { host: string; port: number };
  /** The Cognito Identity endpoint URL. */
  readonly cognito: string;
}

/** Everything the service routes need. */
export interface ServiceDeps {
  readonly users: UserDirectory;
  readonly channels: ChannelCatalog;
  readonly ca: CertificateAuthority;
  readonly identities: IdentityIssuer;
  readonly broker: BrokerControl;
  readonly endpoints: AdvertisedEndpoints;
  /** Admin bearer token (generated on first start, kept in the data directory). */
  readonly adminToken: string;
}

/** An HTTP handler that answers the requests it knows and returns false for the others. */
export type RouteHandler = (request: IncomingMessage, response: ServerResponse) => Promise<boolean>;
