/** IoT Core lifecycle events (`$aws/events/presence/...`), built as pure values. */

/** IoT Core's disconnect reasons. */
export type DisconnectReason =
  | 'AUTH_ERROR'
  | 'CLIENT_INITIATED_DISCONNECT'
  | 'CLIENT_ERROR'
  | 'CONNECTION_LOST'
  | 'DUPLICATE_CLIENTID'
  | 'FORBIDDEN_ACCESS'
  | 'MQTT_KEEP_ALIVE_TIMEOUT'
  | 'SERVER_ERROR'
  | 'SERVER_INITIATED_DISCONNECT'
  | 'THROTTLED'
  | 'WEBSOCKET_TTL_EXPIRATION'
  | 'CUSTOMAUTH_TTL_EXPIRATION'
  | 'API_INITIATED_DISCONNECT'
  | 'UNKNOWN'
  | 'NONE';

/** What one connection contributes to its events. */
export interface PresenceSubject {
  readonly clientId: string;
  readonly sessionIdentifier: string;
  readonly principalIdentifier: string;
  readonly versionNumber: number;
  readonly ipAddress: string;
}

/** `$aws/events/presence/connected/{clientId}` payload. */
export interface ConnectedEvent {
  readonly clientId: string;
  readonly timestamp: number;
  readonly eventType: 'connected';
  readonly sessionIdentifier: string;
  readonly principalIdentifier: string;
  readonly ipAddress: string;
  readonly versionNumber: number;
}

/** `$aws/events/presence/disconnected/{clientId}` payload. */
export interface DisconnectedEvent {
  readonly clientId: string;
  readonly timestamp: number;
  readonly eventType: 'disconnected';
  readonly sessionIdentifier: string;
  readonly principalIdentifier: string;
  readonly clientInitiatedDisconnect: boolean;
  readonly disconnectReason: DisconnectReason;
  readonly versionNumber: number;
}

/** IoT Core sends no lifecycle events for client ids containing wildcards. */
export function hasPresence(clientId: string): boolean {
  return !clientId.includes('#') && !clientId.includes('+');
}

/** The connected event and its topic. */
export function connectedEvent(subject: PresenceSubject, timestamp: number): { topic: string; event: ConnectedEvent } {
  return {
    topic: `$aws/events/presence/connected/${subject.clientId}`,
    event: {
      clientId: subject.clientId,
      timestamp,
      eventType: 'connected',
      sessionIdentifier: subject.sessionIdentifier,
      principalIdentifier: subject.principalIdentifier,
      ipAddress: subject.ipAddress,
      versionNumber: subject.versionNumber,
    },
  };
}

/** The disconnected event and its topic. */
export function disconnectedEvent(
  subject: PresenceSubject,
  reason: DisconnectReason,
  timestamp: number,
): { topic: string; event: DisconnectedEvent } {
  return {
    topic: `$aws/events/presence/disconnected/${subject.clientId}`,
    event: {
      clientId: subject.clientId,
      timestamp,
      eventType: 'disconnected',
      sessionIdentifier: subject.sessionIdentifier,
      principalIdentifier: subject.principalIdentifier,
      clientInitiatedDisconnect: reason === 'CLIENT_INITIATED_DISCONNECT',
      disconnectReason: reason,
      versionNumber: subject.versionNumber,
    },
  };
}

/** `$aws/events/presence/connect_failed/{clientId}` payload. */
export function connectFailedEvent(
  clientId: string,
  timestamp: number,
  ipAddress: string,
): { topic: string; event: Record<string, string | number> } {
  return {
    topic: `$aws/events/presence/connect_failed/${clientId}`,
    event: {
      clientId,
      timestamp,
      eventType: 'connect_failed',
      connectFailureReason: 'AUTHORIZATION_FAILED',
      ipAddress,
    },
  };
}
