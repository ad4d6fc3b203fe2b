/**
 * Authenticates a CONNECT as IoT Core does and opens its session. A refusal is logged, emitted as
 * a typed refusal and announced by a presence `connect_failed` event; an accepted connection
 * becomes the live session of its client id, with a timer when its credentials or its
 * WebSocket's time run out.
 */
import { randomUUID } from 'node:crypto';
import type { AuthenticateError, Client } from 'aedes';
import type { Logger } from '../logger.js';
import type { RefusalEvents } from '../refusal-events.js';
import { isClientClosed } from './aedes-internals.js';
import type { ConnectAuthorizerDeps } from './authorize-connect.js';
import { authorizeConnect } from './authorize-connect.js';
import type { LiveSessions, Session } from './live-sessions.js';
import { MQTT5_MAXIMUM_CONNECT_TIME } from './live-sessions.js';
import { connectFailedEvent, hasPresence } from './presence-events.js';
import type { PresenceMessage } from './publish-presence.js';

/** What {@link ClientAuthenticator} needs. */
export interface ClientAuthenticatorDeps extends ConnectAuthorizerDeps {
  readonly logger: Logger;
  readonly refusals: RefusalEvents;
  readonly sessions: LiveSessions;
  /** Publishes a presence event (here: `connect_failed`). */
  readonly publishEvent: (message: PresenceMessage) => void;
  /**
   * Called with a session as soon as it is live, in the same turn: the link cannot close
   * between the two.
   */
  readonly onOpened: (session: Session) => void;
}

/** One CONNECT being authenticated. */
export interface ConnectAttempt {
  readonly client: Client;
  /** The client id as sent, before aedes replaces an empty one with a generated id. */
  readonly clientId: string;
  readonly username: string | undefined;
  readonly password: Buffer | undefined;
  /** Keepalive after IoT Core's clamping, seconds. */
  readonly keepalive: number;
}

/** The error aedes answers with CONNACK 5 (not authorized). */
function authError(message: string): AuthenticateError {
  return Object.assign(new Error(message), { returnCode: 5 as const });
}

/** Turns accepted CONNECTs into live sessions, numbered in the order they were accepted. */
export class ClientAuthenticator {
  readonly #deps: ClientAuthenticatorDeps;
  #versionNumber = 0;

  constructor(deps: ClientAuthenticatorDeps) {
    this.#deps = deps;
  }

  /**
   * Authenticates `attempt` and makes its session the live one of its client id (a previous link
   * of the same id is marked `DUPLICATE_CLIENTID`), then calls `onOpened`.
   * @throws an `AuthenticateError` (CONNACK 5) when the CONNECT is refused or the client left
   */
  async authenticate(attempt: ConnectAttempt): Promise<void> {
    const { client, clientId, username, password } = attempt;
    const { logger, refusals, sessions, clock } = this.#deps;
    const auth = sessions.transportOf(client.conn) ?? { transport: 'tcp', ipAddress: 'unknown', kind: 'none' };
    const live = sessions.live(clientId);
    const liveAs = live === undefined ? undefined : live.anonymous ? 'anonymous' : 'authenticated';
    const grant = await authorizeConnect({ clientId, auth, username, password, liveAs }, this.#deps);
    if ('check' in grant) {
      const detail = `connect refused for client "${clientId}" via ${auth.transport}: ${grant.check}`;
      logger.info(detail);
      refusals.emit({
        action: 'connect',
        reason: grant.reason,
        transport: auth.transport,
        ipAddress: auth.ipAddress,
        clientId,
        linkKept: false,
        detail,
      });
      if (hasPresence(clientId)) this.#deps.publishEvent(connectFailedEvent(clientId, clock.now(), auth.ipAddress));
      throw authError(grant.check);
    }
    // aedes drops a client that closed while it was being authenticated without a clientDisconnect:
    // registering it here would leave a live session behind for good.
    if (isClientClosed(client)) {
      logger.info(`client "${clientId}" closed its connection during authentication`);
      throw authError('connection closed during authentication');
    }
    const previous = sessions.live(clientId);
    if (previous !== undefined) previous.reason = 'DUPLICATE_CLIENTID';
    const session: Session = {
      client,
      clientId,
      principalIdentifier: grant.principalId,
      sessionIdentifier: randomUUID(),
      versionNumber: ++this.#versionNumber,
      ipAddress: auth.ipAddress,
      clean: client.clean,
      keepalive: attempt.keepalive,
      policies: grant.policies,
      anonymous: grant.anonymous,
      reason: undefined,
      tooManyFilters: false,
      timer: undefined,
      ready: false,
      ended: false,
    };
    const { disconnectAt, disconnectReason } = grant;
    if (disconnectAt !== undefined) {
      session.timer = clock.setTimeout(
        () => sessions.drop(session, disconnectReason, MQTT5_MAXIMUM_CONNECT_TIME),
        Math.max(0, disconnectAt - clock.now()),
      );
    }
    sessions.add(session);
    this.#deps.onOpened(session);
  }
}
