/**
 * Wire types of the Web Communicator service API (the emulator implements it; adapters
 * call it). Plain JSON shapes, shared so both sides agree.
 */

/** How a client connects: WebSocket with Cognito credentials, or mutual TLS with a certificate. */
export type ConnectionType = 'WEBSOCKET' | 'OPENSSL';

/** Kind of channel, as configured in the service. */
export type ChannelType = 'broadcast' | 'private' | 'custom';

/** A channel as the service describes it to one client. */
export interface ChannelInfo {
  /** Channel name used in code, e.g. `"announcements"`. */
  readonly name: string;
  /** Broadcast (everyone), private (this client only) or custom. */
  readonly type: ChannelType;
  /** The concrete MQTT topic (or filter) of this channel for this client. */
  readonly topic: string;
  /** True when clients may publish to it (through the validating publish API). */
  readonly clientPublish: boolean;
  /**
   * The service keeps the latest message retained (content channels): subscribing to the exact
   * topic delivers it, so a client catches up after being offline.
   */
  readonly retainLatest?: boolean;
}

/** Body of `POST /register`. */
export interface RegistrationRequest {
  readonly type: ConnectionType;
  /** Reuse an identity the client already had (kept across sessions); new one when absent. */
  readonly clientId?: string;
  /**
   * Operator only (admin token): channels this identity may publish on straight to the broker
   * (trusted tools). A channel must allow such grants (`trustedPublish` in the service's config).
   * Omitted: the identity keeps the grants it has (none for a new one).
   */
  readonly publish?: readonly string[];
}

/** Where a client connects. */
export interface ServiceEndpoint {
  /** Host name or address. */
  readonly host: string;
  /** Port: the WebSocket port for WEBSOCKET, the mutual-TLS port for OPENSSL. */
  readonly port: number;
  /** Full URL for WebSocket clients (`wss://host:port/mqtt` or `ws://…`). */
  readonly url?: string;
}

/** Answer of `POST /register`. */
export interface RegistrationResponse {
  readonly connectionType: ConnectionType;
  /** The MQTT client ID to use; also the user's id in the service. */
  readonly clientId: string;
  readonly endpoint: ServiceEndpoint;
  /** AWS-style region, e.g. `"local-1"` for the emulator. */
  readonly region: string;
  /** Cognito identity pool id (WEBSOCKET). */
  readonly identityPoolId?: string;
  /** Cognito Identity endpoint when it is not AWS's default for the region (the emulator's). */
  readonly cognitoEndpoint?: string;
  /** Cognito identity id (WEBSOCKET); equals `clientId`. */
  readonly identityId?: string;
  /**
   * Cognito OpenID token of this developer-authenticated identity (WEBSOCKET): pass it as
   * `Logins: {"cognito-identity.amazonaws.com": openIdToken}` to `GetCredentialsForIdentity`,
   * which refuses the identity without it. Register again (with the service token) for a fresh
   * one. Secret: never log it.
   */
  readonly openIdToken?: string;
  /** When `openIdToken` expires, ISO 8601. */
  readonly openIdTokenExpiresAt?: string;
  /** Channels this client may subscribe to, with their topics for this client. */
  readonly channels: readonly ChannelInfo[];
  /** Bearer token for the service API (`POST /publish`) for this client. */
  readonly serviceToken: string;
  /**
   * Base64 RSA-SHA256 signature of `serviceToken`, when the service signs tokens for an IoT custom
   * authorizer with token signing on: send it as `x-amz-customauthorizer-signature` with the token.
   */
  readonly serviceTokenSignature?: string;
  /** PEM client certificate (OPENSSL). */
  readonly certificatePem?: string;
  /** PEM PKCS#8 private key (OPENSSL). Secret: never log it. */
  readonly privateKeyPem?: string;
  /** PEM CA certificate(s) to trust for the broker's TLS listener (OPENSSL, or wss). */
  readonly caPem?: string;
  /** Certificate expiry, ISO 8601 (OPENSSL). */
  readonly certificateExpiresAt?: string;
  /** Channels the operator granted this identity to publish on straight to the broker. */
  readonly brokerPublish?: readonly string[];
}

/** Body of `POST /publish` (client, validated) and `POST /admin/publish` (admin). */
export interface PublishRequest {
  readonly channel: string;
  /** Any JSON value. */
  readonly message: unknown;
  /** Admin publish only: publish on the private channel of this client. */
  readonly clientId?: string;
  /** Admin publish only: set the retained flag. */
  readonly retain?: boolean;
}

/** Every service API error body. */
export interface ServiceErrorBody {
  readonly error: {
    /** Stable code, e.g. `"BANNED"`, `"UNKNOWN_CHANNEL"`, `"RATE_LIMITED"`. */
    readonly code: string;
    /** What went wrong and what to do. */
    readonly message: string;
  };
}

/** Status of a user in the service's user table. */
export type UserStatus = 'active' | 'banned';

/** Answer of the service's `GET /status`: the calling client's standing. */
export interface ClientStatusResponse {
  readonly clientId: string;
  readonly status: UserStatus;
}

/** A row of the service's user table. */
export interface UserRecord {
  readonly id: string;
  readonly kind: ConnectionType;
  readonly status: UserStatus;
  /** ISO 8601. */
  readonly createdAt: string;
  /** ISO 8601, or undefined when never connected. */
  readonly lastSeenAt?: string;
  /** Channels the operator granted to publish on straight to the broker; none when absent. */
  readonly brokerPublish?: readonly string[];
}

/**
 * A server-side rule on client messages, as AWS IoT's rules engine takes it: a name and a rule
 * SQL statement selecting the messages (`SELECT * FROM 'game/+/score'`). The emulator runs a
 * handler per rule; the AWS construct creates an `AWS::IoT::TopicRule` with a Lambda action. Plain
 * data, so both sides share it.
 */
export interface TopicRuleDefinition {
  /** Rule name: 1-128 of `A-Z a-z 0-9 _` (IoT's rule-name rule). */
  readonly name: string;
  /**
   * The rule's SQL. The emulator supports `SELECT <items> FROM '<topic filter>'`, items being `*`,
   * `topic() AS name`, `topic(N) AS name` and `clientid() AS name` (see docs/emulator.md).
   */
  readonly sql: string;
}
