/**
 * Makes aedes behave like IoT Core towards clients: authentication, policies, limits,
 * duplicate client ids, presence events, disconnect timers and persistent-session expiry.
 * Installed on one aedes instance by {@link IotBrokerRules.install}; the service controls the
 * broker through {@link LocalBrokerControl} over the same {@link LiveSessions}.
 */
import { randomUUID } from 'node:crypto';
import type { Aedes, AuthenticateError, Client, ConnectPacket, PublishPacket, Subscription } from 'aedes';
import { isAllowed } from '../auth/access-policy.js';
import type { Logger } from '../logger.js';
import type { PacketRefusalReason, RefusalEvents } from '../refusal-events.js';
import {
  beforeEachPacket,
  clientMaximumPacketSize,
  clientOfStream,
  clientSentDisconnect,
  clientSessionExpiryInterval,
  editNextConnack,
  heldFilters,
  isClientClosed,
  messageCounter,
  setMqtt5Limits,
  skipEmptyQueueClears,
} from './aedes-internals.js';
import type { ConnectAuthorizerDeps } from './authorize-connect.js';
import { authorizeConnect } from './authorize-connect.js';
import { clampKeepalive, topicProblem } from './iot-limits.js';
import { iotConnackProperties, MQTT5_SUBSCRIPTION_IDENTIFIERS_NOT_SUPPORTED } from './mqtt5-connack.js';
import { publishFits } from './outbound-size.js';
import { MQTT5_MAXIMUM_CONNECT_TIME, type LiveSessions, type Session } from './live-sessions.js';
import type { DisconnectReason } from './presence-events.js';
import { closedByPeer } from './peer-close.js';
import { SessionExpiry } from './session-expiry.js';
import { SharedSubscriptions } from './shared-subscriptions.js';
import { connectedEvent, connectFailedEvent, disconnectedEvent, hasPresence } from './presence-events.js';

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

const ALWAYS_FORBIDDEN_PUBLISH = ['$aws/events/', '$SYS/'];

/** MQTT 5 DISCONNECT reason 0x82 (protocol error): a v5 client broke one of IoT Core's limits. */
const MQTT5_PROTOCOL_ERROR = 0x82;

/** Refusals by policy (or of a banned client) that an MQTT 5 client hears as 0x87 with its link kept. */
const KEEPS_MQTT5_LINK: readonly DisconnectReason[] = ['FORBIDDEN_ACCESS', 'AUTH_ERROR'];

function authError(message: string): AuthenticateError {
  return Object.assign(new Error(message), { returnCode: 5 as const });
}

/** The IoT Core rules for one aedes broker. */
export class IotBrokerRules {
  readonly #keepalives = new WeakMap<Client, number>();
  /** Client ids as sent, before aedes replaces an empty one with a generated id. */
  readonly #sentClientIds = new WeakMap<Client, string>();
  /** Refusals told to an MQTT 5 client by reason code (SUBACK/PUBACK 0x87): its link stays up. */
  readonly #toldByReasonCode = new WeakSet<Error>();
  /** The DISCONNECT reason code an MQTT 5 client hears for a refusal that ends its link (else 0x82). */
  readonly #disconnectCodes = new WeakMap<Error, number>();
  readonly #expiry: SessionExpiry;
  readonly #shared: SharedSubscriptions;
  #versionNumber = 0;
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
    this.#setReason(client, 'CLIENT_ERROR');
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
    // MQTT 3.1.1 clients are refused by closing the link (IoT Core's way); aedes 2 answers an MQTT 5
    // client's refused QoS 1 PUBLISH with PUBACK 0x87 and keeps the link, as IoT Core does for a
    // policy refusal. Other violations still end a v5 link, with DISCONNECT 0x82.
    broker.authorizePublish = (client, packet, done) => {
      const error = client === null ? null : this.#checkPublish(client, packet);
      done(error);
      if (error !== null && client !== null && client.version === 5 && !this.#toldByReasonCode.has(error))
        client.disconnect({ reasonCode: MQTT5_PROTOCOL_ERROR }, () => undefined);
    };
    broker.authorizeSubscribe = (client, subscription, done) => {
      const error = this.#checkSubscribe(client, subscription);
      // A negative grant: aedes 2 answers SUBACK 0x87 for that filter (v5), the link stays up.
      if (error !== null && this.#toldByReasonCode.has(error)) done(null, null);
      // aedes closes the link on an error without a word: tell a v5 client why first, as for PUBLISH.
      else if (error !== null && client.version === 5)
        client.disconnect({ reasonCode: this.#disconnectCodes.get(error) ?? MQTT5_PROTOCOL_ERROR }, () =>
          done(error, null),
        );
      else done(error, error === null ? subscription : null);
    };
    // A message the client may not receive, or larger than its MQTT 5 Maximum Packet Size, is not
    // sent (MQTT 5: dropped as if delivered; a queued QoS 1 copy is cleared).
    broker.authorizeForward = (client, packet) =>
      this.#mayReceive(client, packet.topic) &&
      this.#retainedAllowed(client, packet) &&
      this.#shared.delivers(client.id, packet.topic, messageCounter(packet), packet.retain === true) &&
      publishFits(packet, clientMaximumPacketSize(client))
        ? packet
        : null;
    broker.on('clientReady', (client) => this.#onReady(client));
    broker.on('clientDisconnect', (client) => this.#onDisconnect(client));
    broker.on('keepaliveTimeout', (client) => this.#setReason(client, 'MQTT_KEEP_ALIVE_TIMEOUT'));
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
    const auth = this.#sessions.transportOf(client.conn) ?? { transport: 'tcp', ipAddress: 'unknown', kind: 'none' };
    const live = this.#sessions.live(clientId);
    const liveAs = live === undefined ? undefined : live.anonymous ? 'anonymous' : 'authenticated';
    const grant = await authorizeConnect({ clientId, auth, username, password, liveAs }, this.#deps);
    if ('check' in grant) {
      const detail = `connect refused for client "${clientId}" via ${auth.transport}: ${grant.check}`;
      this.#deps.logger.info(detail);
      this.#deps.refusals.emit({
        action: 'connect',
        reason: grant.reason,
        transport: auth.transport,
        ipAddress: auth.ipAddress,
        clientId,
        linkKept: false,
        detail,
      });
      if (hasPresence(clientId))
        this.#publishEvent(connectFailedEvent(clientId, this.#deps.clock.now(), auth.ipAddress));
      throw authError(grant.check);
    }
    // aedes drops a client that closed while it was being authenticated without a clientDisconnect:
    // registering it here would leave a live session behind for good.
    if (isClientClosed(client)) {
      this.#deps.logger.info(`client "${clientId}" closed its connection during authentication`);
      throw authError('connection closed during authentication');
    }
    const previous = this.#sessions.live(clientId);
    if (previous !== undefined) previous.reason = 'DUPLICATE_CLIENTID';
    const session: Session = {
      client,
      clientId,
      principalIdentifier: grant.principalId,
      sessionIdentifier: randomUUID(),
      versionNumber: ++this.#versionNumber,
      ipAddress: auth.ipAddress,
      clean: client.clean,
      keepalive: this.#keepalives.get(client) ?? 0,
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
      session.timer = this.#deps.clock.setTimeout(
        () => this.#sessions.drop(session, disconnectReason, MQTT5_MAXIMUM_CONNECT_TIME),
        Math.max(0, disconnectAt - this.#deps.clock.now()),
      );
    }
    this.#sessions.add(session);
    this.#deps.onAuthenticated?.(client.conn);
    // Also when the stream closes between here and aedes registering the client (no clientDisconnect then).
    client.conn.once('close', () => this.#onDisconnect(client));
    this.#expiry.resumed(clientId);
  }

  #checkPublish(client: Client, packet: PublishPacket): Error | null {
    const topic = packet.topic;
    const refused = (reason: PacketRefusalReason, problem: string): Error =>
      this.#violation(
        client,
        'CLIENT_ERROR',
        { action: 'publish', reason, topic },
        `publish to "${topic}" refused: ${problem}`,
      );
    const { limits } = this.#deps;
    const topicBroken = topicProblem(topic, limits);
    if (topicBroken !== undefined) return refused(topicBroken.reason, topicBroken.message);
    if (packet.payload.length > limits.maxPayloadBytes)
      return refused('payload-too-large', `payload of ${packet.payload.length} bytes over ${limits.maxPayloadBytes}`);
    if (packet.qos === 2) return refused('qos2-unsupported', 'QoS 2 is not supported');
    if (ALWAYS_FORBIDDEN_PUBLISH.some((prefix) => topic.startsWith(prefix))) {
      return this.#violation(
        client,
        'FORBIDDEN_ACCESS',
        { action: 'publish', reason: 'reserved-topic', topic },
        `publish to reserved topic "${topic}" refused`,
      );
    }
    return this.#authorize(client, 'iot:Publish', topic);
  }

  #checkSubscribe(client: Client, subscription: Subscription): Error | null {
    const session = this.#sessions.of(client);
    const topic = subscription.topic;
    const { limits } = this.#deps;
    if (session?.tooManyFilters === true) {
      return this.#violation(
        client,
        'CLIENT_ERROR',
        { action: 'subscribe', reason: 'too-many-filters', topic },
        `SUBSCRIBE with more than ${limits.maxFiltersPerSubscribe} filters refused`,
      );
    }
    if (session?.subscriptionIdentifierSent === true) {
      const error = this.#violation(
        client,
        'CLIENT_ERROR',
        { action: 'subscribe', reason: 'subscription-identifier', topic },
        'SUBSCRIBE with a subscription identifier refused: the CONNACK said Subscription Identifiers Available 0',
      );
      this.#disconnectCodes.set(error, MQTT5_SUBSCRIPTION_IDENTIFIERS_NOT_SUPPORTED);
      return error;
    }
    const held = heldFilters(client);
    if (!(topic in held) && Object.keys(held).length >= limits.maxSubscriptionsPerConnection) {
      return this.#violation(
        client,
        'CLIENT_ERROR',
        { action: 'subscribe', reason: 'too-many-subscriptions', topic },
        `more than ${limits.maxSubscriptionsPerConnection} subscriptions on one connection`,
      );
    }
    const problem = topicProblem(topic, limits);
    if (problem !== undefined)
      return this.#violation(
        client,
        'CLIENT_ERROR',
        { action: 'subscribe', reason: problem.reason, topic },
        `subscribe to "${topic}" refused: ${problem.message}`,
      );
    return this.#authorize(client, 'iot:Subscribe', topic);
  }

  #authorize(client: Client, action: 'iot:Publish' | 'iot:Subscribe', target: string): Error | null {
    const what = { action: action === 'iot:Publish' ? 'publish' : 'subscribe', topic: target } as const;
    const session = this.#sessions.of(client);
    if (session === undefined)
      return this.#violation(client, 'AUTH_ERROR', { ...what, reason: 'no-session' }, 'no session');
    if (this.#deps.users.isBanned(session.clientId) || this.#deps.users.isBanned(session.principalIdentifier)) {
      return this.#violation(client, 'AUTH_ERROR', { ...what, reason: 'banned' }, `${action} by banned client refused`);
    }
    if (!isAllowed(session.policies, action, target))
      return this.#violation(
        client,
        'FORBIDDEN_ACCESS',
        { ...what, reason: 'policy-denied' },
        `${action} on "${target}" not allowed by policy`,
      );
    return null;
  }

  #mayReceive(client: Client, topic: string): boolean {
    const session = this.#sessions.of(client);
    if (session === undefined || this.#deps.users.isBanned(session.clientId)) return false;
    return isAllowed(session.policies, 'iot:Receive', topic);
  }

  /**
   * IoT Core sends retained messages only to exact-topic subscriptions, never through a
   * wildcard. aedes marks stored messages replayed on SUBSCRIBE with `retain` (live ones not).
   */
  #retainedAllowed(client: Client, packet: { retain?: boolean; topic: string }): boolean {
    if (packet.retain !== true) return true;
    return packet.topic in heldFilters(client);
  }

  /**
   * Records why the client is about to be disconnected (aedes closes it on the returned error),
   * or, for an MQTT 5 policy refusal, that it is told by reason code and keeps its link.
   */
  #violation(
    client: Client,
    reason: DisconnectReason,
    refusal: { action: 'publish' | 'subscribe'; reason: PacketRefusalReason; topic: string },
    message: string,
  ): Error {
    const error = new Error(message);
    const linkKept = client.version === 5 && KEEPS_MQTT5_LINK.includes(reason);
    const detail = linkKept
      ? `client "${client.id}" refused with 0x87 (${reason}), link kept: ${message}`
      : `client "${client.id}" disconnected (${reason}): ${message}`;
    if (linkKept) this.#toldByReasonCode.add(error);
    else this.#setReason(client, reason);
    this.#deps.logger.info(detail);
    const auth = this.#sessions.transportOf(client.conn);
    this.#deps.refusals.emit({
      ...refusal,
      transport: auth?.transport ?? 'tcp',
      ipAddress: auth?.ipAddress ?? 'unknown',
      clientId: this.#sessions.of(client)?.clientId ?? client.id,
      linkKept,
      detail,
    });
    return error;
  }

  #setReason(client: Client, reason: DisconnectReason): void {
    this.#sessions.setReason(client, reason);
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

  #publishEvent(message: { topic: string; event: object }): void {
    this.#broker?.publish(
      {
        cmd: 'publish',
        topic: message.topic,
        payload: Buffer.from(JSON.stringify(message.event)),
        qos: 0,
        retain: false,
        dup: false,
      },
      (error) => {
        if (error) this.#deps.logger.warn(`presence event on ${message.topic} not published: ${error.message}`);
      },
    );
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
