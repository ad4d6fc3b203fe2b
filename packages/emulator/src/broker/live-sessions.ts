/**
 * The emulator's table of connections: what the aedes hooks learn about each client, shared with
 * the service's control API ({@link LocalBrokerControl}) that lists and drops them.
 */
import type { Client } from 'aedes';
import type { AccessPolicy } from '../auth/access-policy.js';
import type { ClockTimer } from '../clock.js';
import type { DisconnectReason, PresenceSubject } from './presence-events.js';
import type { TransportAuth } from './transport-auth.js';

/** MQTT 5 DISCONNECT reason 0x98: what IoT Core sends for DeleteConnection (a kick or a ban). */
export const MQTT5_ADMINISTRATIVE_ACTION = 0x98;
/** MQTT 5 DISCONNECT reason 0xA0: the connection reached its maximum time (a token or WebSocket TTL). */
export const MQTT5_MAXIMUM_CONNECT_TIME = 0xa0;

/** One authenticated connection. */
export interface Session extends PresenceSubject {
  readonly client: Client;
  readonly clean: boolean;
  readonly keepalive: number;
  readonly policies: readonly AccessPolicy[];
  readonly anonymous: boolean;
  reason: DisconnectReason | undefined;
  tooManyFilters: boolean;
  /** An MQTT 5 SUBSCRIBE carried a subscription identifier (refused with DISCONNECT 0xA1). */
  subscriptionIdentifierSent?: boolean;
  timer: ClockTimer | undefined;
  /** CONNACK went out (presence `connected` was published). */
  ready: boolean;
  /** Cleaned up: by aedes' clientDisconnect, or by the stream closing before aedes registered it. */
  ended: boolean;
  /** The stored session ends with this link, persistent or not (DeleteConnection `cleanSession=true`). */
  endsSession?: boolean;
}

/** A connection as the emulator sees it (for tests and tools). */
export interface ConnectionInfo {
  readonly clientId: string;
  readonly principalId: string;
  readonly transport: string;
  /** Keepalive after IoT Core's clamping, seconds. */
  readonly keepalive: number;
  readonly clean: boolean;
}

/** Sessions by aedes client and, for the one live link per client id, by client id. */
export class LiveSessions {
  readonly #transportAuth = new WeakMap<object, TransportAuth>();
  readonly #byClient = new WeakMap<Client, Session>();
  readonly #live = new Map<string, Session>();

  /** Records what the listener learned about a connection's stream. */
  attach(stream: object, auth: TransportAuth): void {
    this.#transportAuth.set(stream, auth);
  }

  /** What the listener recorded for this stream. */
  transportOf(stream: object): TransportAuth | undefined {
    return this.#transportAuth.get(stream);
  }

  /** The session of an aedes client, once authenticated. */
  of(client: Client): Session | undefined {
    return this.#byClient.get(client);
  }

  /** The live session of a client id. */
  live(clientId: string): Session | undefined {
    return this.#live.get(clientId);
  }

  /** Every live session. */
  all(): Session[] {
    return [...this.#live.values()];
  }

  /** Makes `session` the live one of its client id. */
  add(session: Session): void {
    this.#byClient.set(session.client, session);
    this.#live.set(session.clientId, session);
  }

  /** Forgets the session as live; true when it was the live one (not replaced by a newer link). */
  remove(session: Session): boolean {
    if (this.#live.get(session.clientId) !== session) return false;
    this.#live.delete(session.clientId);
    return true;
  }

  /** Records why the session is about to end (the first reason wins). */
  setReason(client: Client, reason: DisconnectReason): void {
    const session = this.#byClient.get(client);
    if (session !== undefined && session.reason === undefined) session.reason = reason;
  }

  /**
   * Closes the session's link, recording why. An MQTT 5 client is told first with a DISCONNECT
   * carrying `reasonCode` (IoT Core sends 0x98, administrative action, for a kick or ban through
   * DeleteConnection); a 3.1.1 client, which has no server DISCONNECT, is just closed.
   */
  drop(session: Session, reason: DisconnectReason, reasonCode: number = MQTT5_ADMINISTRATIVE_ACTION): void {
    if (session.reason === undefined) session.reason = reason;
    const client = session.client;
    const disconnect = (): void => client.disconnect({ reasonCode }, () => undefined);
    // aedes marks a client connected only after its CONNACK's follow-ups (queued messages) are
    // written, and closes a not-yet-connected v5 client without a DISCONNECT: wait for it.
    if (client.version === 5 && client.connecting && !client.closed) client.once('connected', disconnect);
    else disconnect();
  }

  /** Live connections with their effective settings. */
  connections(): ConnectionInfo[] {
    return this.all().map((session) => ({
      clientId: session.clientId,
      principalId: session.principalIdentifier,
      transport: this.#transportAuth.get(session.client.conn)?.transport ?? 'tcp',
      keepalive: session.keepalive,
      clean: session.clean,
    }));
  }
}
