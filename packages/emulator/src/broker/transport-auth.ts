/** What the listener learned about a connection before its MQTT CONNECT. */
import type { ConnectRefusalReason } from '../refusal-events.js';
import type { DisconnectReason } from './presence-events.js';

/** The listener a connection came through. */
export type TransportKind = 'tcp' | 'tls' | 'ws' | 'wss';

/** Authentication established at the transport (TLS client certificate, SigV4 URL, authorizer on upgrade). */
export interface TransportAuth {
  readonly transport: TransportKind;
  readonly ipAddress: string;
  /** `none`: the MQTT CONNECT must authenticate (authorizer username) or the listener allows anonymous. */
  readonly kind: 'none' | 'sigv4' | 'certificate' | 'authorizer';
  readonly principalId?: string;
  /** The client id this credential may connect as (identity id, certificate CN). */
  readonly clientIdMustBe?: string;
  /** Policy documents from a custom authorizer. */
  readonly policyDocuments?: readonly string[];
  /** When the connection must end (epoch ms), and the presence reason then. */
  readonly disconnectAt?: number;
  readonly disconnectReason?: DisconnectReason;
  /**
   * Set when the listener already knows the credential is unusable (a revoked certificate): the
   * CONNECT is answered "not authorized" with this check, so the client can tell it from a network
   * fault, rather than the socket being cut.
   */
  readonly refusal?: { readonly reason: ConnectRefusalReason; readonly check: string };
  /** The upgrade request's headers and query, for authorizer events. */
  readonly http?: { readonly headers: Readonly<Record<string, string>>; readonly queryString: string };
}
