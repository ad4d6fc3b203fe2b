/**
 * Makes aedes behave like IoT Core towards clients. Installed on one aedes instance by
 * {@link IotBrokerRules.install}: the CONNECT (keepalive clamping, MQTT 5 CONNACK properties,
 * expired sessions starting clean), authentication by {@link ClientAuthenticator}, the checks on
 * PUBLISH, SUBSCRIBE and delivery by {@link PacketAuthorizer}, presence events, and the end of a
 * link (its disconnect reason, its timers, persistent-session expiry). The service controls the
 * broker through {@link LocalBrokerControl} over the same {@link LiveSessions}.
 */
import type { Aedes, AuthenticateError, Client, ConnectPacket } from 'aedes';
import type { Logger } from '../logger.js';
import type { RefusalEvents } from '../refusal-events.js';
import {
  beforeEachPacket,
  clientOfStream,
  clientSentDisconnect,
  clientSessionExpiryInterval,
  editNextConnack,
  heldFilters,
  setMqtt5Limits,
  skipEmptyQueueClears,
} from './aedes-internals.js';
import type { ConnectAuthorizerDeps } from './authorize-connect.js';
import { ClientAuthenticator } from './client-authenticator.js';
import { clampKeepalive } from './iot-limits.js';
import type { LiveSessions, Session } from './live-sessions.js';
import { iotConnackProperties } from './mqtt5-connack.js';
import { PacketAuthorizer } from './packet-authorizer.js';
import { closedByPeer } from './peer-close.js';
import { connectedEvent, disconnectedEvent, hasPresence } from './presence-events.js';
import type { PresenceMessage } from './publish-presence.js';
import { publishPresence } from './publish-presence.js';
import { SessionExpiry } from './session-expiry.js';
import { SharedSubscriptions } from './shared-subscriptions.js';

/** What the rules need. */
export interface IotBrokerRulesDeps extends ConnectAuthorizerDeps {
  readonly logger: Logger;
  readonly refusals: RefusalEvents;
  readonly sessionExpiryMs: number;
  /** The connection table the rules fill and the service's control reads. */
  readonly sessions: LiveSessions;
  /** Called with a connection's stream once it has authenticated (ends its CONNECT deadline). */
  readonly onAuthenticated?: (stream: object) => void;
}

/** The IoT Core rules for one aedes broker. */
export class IotBrokerRules {
  readonly #keepalives = new WeakMap<Client, number>();
  /** Client ids as sent, before aedes replaces an empty one with a generated id. */
  readonly #sentClientIds = new WeakMap<Client, string>();
  readonly #expiry: SessionExpiry;
  readonly #shared: SharedSubscriptions;
  readonly #authenticator: ClientAuthenticator;
  readonly #packets: PacketAuthorizer;
  #shuttingDown = false;
  #broker: Aedes | undefined;

  readonly #deps: IotBrokerRulesDeps;
  readonly #sessions: LiveSessions;

  constructor(deps: IotBrokerRulesDeps) {
    this.#deps = deps;
    this.#sessions = deps.sessions;
    this.#shared = new SharedSubscriptions({
      heldFilters: (clientId) => {
        const live = deps.sessions.live(clientId);
        return live === undefined ? undefined : heldFilters(live.client);
      },
    });
    this.#expiry = new SessionExpiry({
      ...deps,
      maxPendingSessions: deps.limits.maxPendingSessions,
      isLive: (clientId) => deps.sessions.live(clientId) !== undefined,
      onExpired: (clientId) => this.#shared.forget(clientId),
    });
    this.#authenticator = new ClientAuthenticator({
      ...deps,
      publishEvent: (message) => this.#publishEvent(message),
      onOpened: (session) => this.#opened(session),
    });
    this.#packets = new PacketAuthorizer({ ...deps, shared: this.#shared });
  }

  /**
   * A connection broke the protocol below aedes (an oversized packet): record why it is dropped.
   * @returns the client id when the connection had completed CONNECT
   */
  clientError(stream: object, problem: string): string | undefined {
    const client = clientOfStream(stream);
    if (client === undefined) return undefined;
    const session = this.#sessions.of(client);
    if (session === undefined) return undefined;
    this.#sessions.setReason(client, 'CLIENT_ERROR');
    this.#deps.logger.info(`client "${session.clientId}" disconnected (CLIENT_ERROR): ${problem}`);
    return session.clientId;
  }

  /** Installs the hooks and event listeners on `broker`. */
  install(broker: Aedes): void {
    this.#broker = broker;
    setMqtt5Limits(broker, {
      topicAliasMaximum: this.#deps.limits.maxTopicAliases,
      sessionExpiryIntervalLimit: Math.ceil(this.#deps.sessionExpiryMs / 1000),
      pendingSessionsLimit: this.#deps.limits.maxPendingSessions,
    });
    skipEmptyQueueClears(broker);
    broker.preConnect = (client, packet, done) => done(null, this.#preConnect(client, packet));
    broker.authenticate = (client, username, password, done) => {
      this.#authenticate(client, username, password).then(
        () => done(null, true),
        (error: AuthenticateError) => done(error, false),
      );
    };
    this.#packets.install(broker);
    broker.on('clientReady', (client) => this.#onReady(client));
    broker.on('clientDisconnect', (client) => this.#onDisconnect(client));
    broker.on('keepaliveTimeout', (client) => this.#sessions.setReason(client, 'MQTT_KEEP_ALIVE_TIMEOUT'));
  }

  #preConnect(client: Client, packet: ConnectPacket): boolean {
    this.#sentClientIds.set(client, packet.clientId);
    const requestedKeepalive = packet.keepalive ?? 0;
    packet.keepalive = clampKeepalive(requestedKeepalive, this.#deps.limits);
    this.#keepalives.set(client, packet.keepalive);
    if (this.#expiry.takeExpired(packet.clientId)) packet.clean = true;
    if (packet.clean === true) this.#shared.forget(packet.clientId);
    if (packet.protocolVersion === 5) {
      const properties = iotConnackProperties({
        requestedKeepalive,
        keepalive: packet.keepalive,
        limits: this.#deps.limits,
        sharedSubscriptions: true,
      });
      // Only an accepted CONNECT's CONNACK says what the server offers.
      editNextConnack(client.conn, (connack) => {
        if (connack.reasonCode === 0) connack.properties = { ...connack.properties, ...properties };
      });
    }
    // See each SUBSCRIBE whole before aedes splits it into single authorizations: count its
    // filters, note a subscription identifier, and grant QoS 1 for QoS 2 as IoT Core does (aedes
    // takes the SUBACK QoS from here).
    beforeEachPacket(client, (incoming) => {
      const session = this.#sessions.of(client);
      // `$share/{group}/{filter}` becomes `filter` for aedes and the policy; the group is kept here.
      if (incoming.cmd === 'unsubscribe' && incoming.unsubscriptions !== undefined && session !== undefined)
        this.#shared.unsubscribe(session.clientId, incoming.unsubscriptions);
      if (incoming.cmd !== 'subscribe' || incoming.subscriptions === undefined) return;
      for (const subscription of incoming.subscriptions) subscription.qos = Math.min(subscription.qos, 1);
      if (session === undefined) return;
      this.#shared.subscribe(session.clientId, incoming.subscriptions);
      if (incoming.subscriptions.length > this.#deps.limits.maxFiltersPerSubscribe) session.tooManyFilters = true;
      if (incoming.properties?.subscriptionIdentifier !== undefined) session.subscriptionIdentifierSent = true;
    });
    return true;
  }

  async #authenticate(client: Client, username: string | undefined, password: Buffer | undefined): Promise<void> {
    // Validate what the client sent: aedes has replaced an empty client id by now.
    const clientId = this.#sentClientIds.get(client) ?? client.id;
    const keepalive = this.#keepalives.get(client) ?? 0;
    await this.#authenticator.authenticate({ client, clientId, username, password, keepalive });
  }

  #opened({ client, clientId }: Session): void {
    this.#deps.onAuthenticated?.(client.conn);
    // Also when the stream closes between here and aedes registering the client (no clientDisconnect then).
    client.conn.once('close', () => this.#onDisconnect(client));
    this.#expiry.resumed(clientId);
  }

  #onReady(client: Client): void {
    const session = this.#sessions.of(client);
    if (session === undefined || session.ended) return;
    session.ready = true;
    if (hasPresence(session.clientId)) this.#publishEvent(connectedEvent(session, this.#deps.clock.now()));
    this.#deps.users.touch(session.clientId, new Date(this.#deps.clock.now())).catch((error: unknown) => {
      this.#deps.logger.warn(`could not record last seen of "${session.clientId}": ${(error as Error).message}`);
    });
  }

  #onDisconnect(client: Client): void {
    const session = this.#sessions.of(client);
    if (session === undefined || session.ended) return;
    session.ended = true;
    if (session.timer !== undefined) this.#deps.clock.clearTimeout(session.timer);
    const wasLive = this.#sessions.remove(session);
    // An MQTT DISCONNECT, or a WebSocket Close frame (IoT Core counts both as the client's own).
    const clientSaidBye = clientSentDisconnect(client) || closedByPeer(client.conn);
    const reason =
      session.reason ??
      (clientSaidBye
        ? 'CLIENT_INITIATED_DISCONNECT'
        : this.#shuttingDown
          ? 'SERVER_INITIATED_DISCONNECT'
          : 'CONNECTION_LOST');
    this.#deps.logger.info(`client "${session.clientId}" disconnected: ${reason}`);
    if (session.ready && hasPresence(session.clientId))
      this.#publishEvent(disconnectedEvent(session, reason, this.#deps.clock.now()));
    if (wasLive && (session.clean || session.endsSession === true)) this.#shared.forget(session.clientId);
    if (session.endsSession === true && wasLive) this.#expiry.expireNow(session.clientId, this.#broker);
    else if (!session.clean && wasLive && !this.#shuttingDown)
      // MQTT 5: the interval the client asked for, as aedes clamped it; 3.1.1: IoT Core's default.
      this.#expiry.schedule(
        session.clientId,
        this.#broker,
        client.version === 5 ? clientSessionExpiryInterval(client) * 1000 : undefined,
      );
  }

  #publishEvent(message: PresenceMessage): void {
    if (this.#broker !== undefined) publishPresence(this.#broker, message, this.#deps.logger);
  }

  /** From now on, connections end because the server stops. */
  beginShutdown(): void {
    this.#shuttingDown = true;
  }

  /** Clears every timer (called on stop). */
  dispose(): void {
    this.#expiry.dispose();
    for (const session of this.#sessions.all())
      if (session.timer !== undefined) this.#deps.clock.clearTimeout(session.timer);
  }
}
