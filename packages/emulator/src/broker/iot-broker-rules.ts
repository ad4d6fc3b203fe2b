/**
 * Makes aedes behave like IoT Core towards clients: authentication, policies, limits,
 * duplicate client ids, presence events, disconnect timers and persistent-session expiry.
 * Installed on one aedes instance by {@link IotBrokerRules.install}.
 */
import { randomUUID } from 'node:crypto';
import type { Aedes, AuthenticateError, Client, ConnectPacket, PublishPacket, Subscription } from 'aedes';
import type { AccessPolicy, IotAction } from '../auth/access-policy.js';
import { isAllowed } from '../auth/access-policy.js';
import type { ClockTimer } from '../clock.js';
import type { Logger } from '../logger.js';
import type { BrokerControl } from '../service/contracts.js';
import { beforeEachPacket, cleanStoredSubscriptions, clientOfStream, clientSentDisconnect, heldFilters, isClientClosed } from './aedes-internals.js';
import type { ConnectAuthorizerDeps } from './authorize-connect.js';
import { authorizeConnect } from './authorize-connect.js';
import { clampKeepalive, topicProblem } from './iot-limits.js';
import type { DisconnectReason, PresenceSubject } from './presence-events.js';
import { connectedEvent, connectFailedEvent, disconnectedEvent, hasPresence } from './presence-events.js';
import type { TransportAuth } from './transport-auth.js';

/** What the rules need. */
export interface IotBrokerRulesDeps extends ConnectAuthorizerDeps {
  readonly logger: Logger;
  readonly sessionExpiryMs: number;
}

interface Session extends PresenceSubject {
  readonly client: Client;
  readonly clean: boolean;
  readonly keepalive: number;
  readonly policies: readonly AccessPolicy[];
  readonly anonymous: boolean;
  reason: DisconnectReason | undefined;
  tooManyFilters: boolean;
  timer: ClockTimer | undefined;
  /** CONNACK went out (presence `connected` was published). */
  ready: boolean;
  /** Cleaned up: by aedes' clientDisconnect, or by the stream closing before aedes registered it. */
  ended: boolean;
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

const ALWAYS_FORBIDDEN_PUBLISH = ['$aws/events/', '$SYS/'];

function authError(message: string): AuthenticateError {
  return Object.assign(new Error(message), { returnCode: 5 as const });
}

/** The IoT Core rules for one aedes broker. */
export class IotBrokerRules implements BrokerControl {
  readonly #transportAuth = new WeakMap<object, TransportAuth>();
  readonly #sessions = new WeakMap<Client, Session>();
  readonly #live = new Map<string, Session>();
  readonly #keepalives = new WeakMap<Client, number>();
  /** Client ids as sent, before aedes replaces an empty one with a generated id. */
  readonly #sentClientIds = new WeakMap<Client, string>();
  readonly #expiryTimers = new Map<string, ClockTimer>();
  readonly #expiredSessions = new Set<string>();
  #versionNumber = 0;
  #shuttingDown = false;
  #broker: Aedes | undefined;

  readonly #deps: IotBrokerRulesDeps;

  constructor(deps: IotBrokerRulesDeps) {
    this.#deps = deps;
  }

  /** Records what the listener learned about a connection's stream. */
  attach(stream: object, auth: TransportAuth): void {
    this.#transportAuth.set(stream, auth);
  }

  /** A connection broke the protocol below aedes (an oversized packet): record why it is dropped. */
  clientError(stream: object, problem: string): void {
    const client = clientOfStream(stream);
    if (client === undefined) return;
    const session = this.#sessions.get(client);
    if (session === undefined) return;
    this.#setReason(client, 'CLIENT_ERROR');
    this.#deps.logger.info(`client "${session.clientId}" disconnected (CLIENT_ERROR): ${problem}`);
  }

  /** Installs the hooks and event listeners on `broker`. */
  install(broker: Aedes): void {
    this.#broker = broker;
    broker.preConnect = (client, packet, done) => done(null, this.#preConnect(client, packet));
    broker.authenticate = (client, username, password, done) => {
      this.#authenticate(client, username, password).then(() => done(null, true), (error: AuthenticateError) => done(error, false));
    };
    broker.authorizePublish = (client, packet, done) => done(client === null ? null : this.#checkPublish(client, packet));
    broker.authorizeSubscribe = (client, subscription, done) => {
      const error = this.#checkSubscribe(client, subscription);
      done(error, error === null ? subscription : null);
    };
    broker.authorizeForward = (client, packet) => (this.#mayReceive(client, packet.topic) && this.#retainedAllowed(client, packet) ? packet : null);
    broker.on('clientReady', (client) => this.#onReady(client));
    broker.on('clientDisconnect', (client) => this.#onDisconnect(client));
    broker.on('keepaliveTimeout', (client) => this.#setReason(client, 'MQTT_KEEP_ALIVE_TIMEOUT'));
  }

  #preConnect(client: Client, packet: ConnectPacket): boolean {
    this.#sentClientIds.set(client, packet.clientId);
    packet.keepalive = clampKeepalive(packet.keepalive ?? 0, this.#deps.limits);
    this.#keepalives.set(client, packet.keepalive);
    if (this.#expiredSessions.delete(packet.clientId)) packet.clean = true;
    // See each SUBSCRIBE whole before aedes splits it into single authorizations: count its
    // filters, and grant QoS 1 for QoS 2 as IoT Core does (aedes takes the SUBACK QoS from here).
    beforeEachPacket(client, (incoming) => {
      if (incoming.cmd !== 'subscribe' || incoming.subscriptions === undefined) return;
      for (const subscription of incoming.subscriptions) subscription.qos = Math.min(subscription.qos, 1);
      const session = this.#sessions.get(client);
      if (session !== undefined && incoming.subscriptions.length > this.#deps.limits.maxFiltersPerSubscribe) session.tooManyFilters = true;
    });
    return true;
  }

  async #authenticate(client: Client, username: string | undefined, password: Buffer | undefined): Promise<void> {
    // Validate what the client sent: aedes has replaced an empty client id by now.
    const clientId = this.#sentClientIds.get(client) ?? client.id;
    const auth = this.#transportAuth.get(client.conn) ?? { transport: 'tcp', ipAddress: 'unknown', kind: 'none' };
    const live = this.#live.get(clientId);
    const liveAs = live === undefined ? undefined : live.anonymous ? 'anonymous' : 'authenticated';
    const grant = await authorizeConnect({ clientId, auth, username, password, liveAs }, this.#deps);
    if ('check' in grant) {
      this.#deps.logger.info(`connect refused for client "${clientId}" via ${auth.transport}: ${grant.check}`);
      if (hasPresence(clientId)) this.#publishEvent(connectFailedEvent(clientId, this.#deps.clock.now(), auth.ipAddress));
      throw authError(grant.check);
    }
    // aedes drops a client that closed while it was being authenticated without a clientDisconnect:
    // registering it here would leave a live session behind for good.
    if (isClientClosed(client)) {
      this.#deps.logger.info(`client "${clientId}" closed its connection during authentication`);
      throw authError('connection closed during authentication');
    }
    const previous = this.#live.get(clientId);
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
      session.timer = this.#deps.clock.setTimeout(() => this.#drop(session, disconnectReason), Math.max(0, disconnectAt - this.#deps.clock.now()));
    }
    this.#sessions.set(client, session);
    this.#live.set(clientId, session);
    // Also when the stream closes between here and aedes registering the client (no clientDisconnect then).
    client.conn.once('close', () => this.#onDisconnect(client));
    const pending = this.#expiryTimers.get(clientId);
    if (pending !== undefined) this.#deps.clock.clearTimeout(pending);
    this.#expiryTimers.delete(clientId);
  }

  #checkPublish(client: Client, packet: PublishPacket): Error | null {
    const topic = packet.topic;
    const problem =
      topicProblem(topic, this.#deps.limits) ??
      (packet.payload.length > this.#deps.limits.maxPayloadBytes ? `payload of ${packet.payload.length} bytes over ${this.#deps.limits.maxPayloadBytes}` : undefined) ??
      (packet.qos === 2 ? 'QoS 2 is not supported' : undefined);
    if (problem !== undefined) return this.#violation(client, 'CLIENT_ERROR', `publish to "${topic}" refused: ${problem}`);
    if (ALWAYS_FORBIDDEN_PUBLISH.some((prefix) => topic.startsWith(prefix))) return this.#violation(client, 'FORBIDDEN_ACCESS', `publish to reserved topic "${topic}" refused`);
    return this.#authorize(client, 'iot:Publish', topic);
  }

  #checkSubscribe(client: Client, subscription: Subscription): Error | null {
    const session = this.#sessions.get(client);
    if (session?.tooManyFilters === true) return this.#violation(client, 'CLIENT_ERROR', `SUBSCRIBE with more than ${this.#deps.limits.maxFiltersPerSubscribe} filters refused`);
    const held = heldFilters(client);
    if (!(subscription.topic in held) && Object.keys(held).length >= this.#deps.limits.maxSubscriptionsPerConnection) {
      return this.#violation(client, 'CLIENT_ERROR', `more than ${this.#deps.limits.maxSubscriptionsPerConnection} subscriptions on one connection`);
    }
    const problem = topicProblem(subscription.topic, this.#deps.limits);
    if (problem !== undefined) return this.#violation(client, 'CLIENT_ERROR', `subscribe to "${subscription.topic}" refused: ${problem}`);
    return this.#authorize(client, 'iot:Subscribe', subscription.topic);
  }

  #authorize(client: Client, action: IotAction, target: string): Error | null {
    const session = this.#sessions.get(client);
    if (session === undefined) return this.#violation(client, 'AUTH_ERROR', 'no session');
    if (this.#deps.users.isBanned(session.clientId) || this.#deps.users.isBanned(session.principalIdentifier)) {
      return this.#violation(client, 'AUTH_ERROR', `${action} by banned client refused`);
    }
    if (!isAllowed(session.policies, action, target)) return this.#violation(client, 'FORBIDDEN_ACCESS', `${action} on "${target}" not allowed by policy`);
    return null;
  }

  #mayReceive(client: Client, topic: string): boolean {
    const session = this.#sessions.get(client);
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

  /** Records why the client is about to be disconnected (aedes closes it on the returned error). */
  #violation(client: Client, reason: DisconnectReason, message: string): Error {
    this.#setReason(client, reason);
    this.#deps.logger.info(`client "${client.id}" disconnected (${reason}): ${message}`);
    return new Error(message);
  }

  #setReason(client: Client, reason: DisconnectReason): void {
    const session = this.#sessions.get(client);
    if (session !== undefined && session.reason === undefined) session.reason = reason;
  }

  #onReady(client: Client): void {
    const session = this.#sessions.get(client);
    if (session === undefined || session.ended) return;
    session.ready = true;
    if (hasPresence(session.clientId)) this.#publishEvent(connectedEvent(session, this.#deps.clock.now()));
    this.#deps.users.touch(session.clientId, new Date(this.#deps.clock.now())).catch((error: unknown) => {
      this.#deps.logger.warn(`could not record last seen of "${session.clientId}": ${(error as Error).message}`);
    });
  }

  #onDisconnect(client: Client): void {
    const session = this.#sessions.get(client);
    if (session === undefined || session.ended) return;
    session.ended = true;
    if (session.timer !== undefined) this.#deps.clock.clearTimeout(session.timer);
    const wasLive = this.#live.get(session.clientId) === session;
    if (wasLive) this.#live.delete(session.clientId);
    const clientSaidBye = clientSentDisconnect(client);
    const reason = session.reason ?? (clientSaidBye ? 'CLIENT_INITIATED_DISCONNECT' : this.#shuttingDown ? 'SERVER_INITIATED_DISCONNECT' : 'CONNECTION_LOST');
    this.#deps.logger.info(`client "${session.clientId}" disconnected: ${reason}`);
    if (session.ready && hasPresence(session.clientId)) this.#publishEvent(disconnectedEvent(session, reason, this.#deps.clock.now()));
    if (!session.clean && wasLive && !this.#shuttingDown) this.#scheduleSessionExpiry(session.clientId);
  }

  #scheduleSessionExpiry(clientId: string): void {
    const timer = this.#deps.clock.setTimeout(() => {
      this.#expiryTimers.delete(clientId);
      if (this.#live.has(clientId)) return;
      this.#expiredSessions.add(clientId);
      if (this.#broker === undefined) return;
      cleanStoredSubscriptions(this.#broker, clientId).catch((error: unknown) => this.#deps.logger.warn(`session expiry of "${clientId}": ${(error as Error).message}`));
    }, this.#deps.sessionExpiryMs);
    this.#expiryTimers.set(clientId, timer);
  }

  #drop(session: Session, reason: DisconnectReason): void {
    if (session.reason === undefined) session.reason = reason;
    session.client.close();
  }

  #publishEvent(message: { topic: string; event: object }): void {
    this.#broker?.publish({ cmd: 'publish', topic: message.topic, payload: Buffer.from(JSON.stringify(message.event)), qos: 0, retain: false, dup: false }, (error) => {
      if (error) this.#deps.logger.warn(`presence event on ${message.topic} not published: ${error.message}`);
    });
  }

  // BrokerControl

  async publish(topic: string, payload: Uint8Array, options: { qos?: 0 | 1; retain?: boolean } = {}): Promise<void> {
    const broker = this.#broker;
    if (broker === undefined) throw new Error('broker not started');
    await new Promise<void>((resolve, reject) => {
      broker.publish({ cmd: 'publish', topic, payload: Buffer.from(payload), qos: options.qos ?? 0, retain: options.retain ?? false, dup: false }, (error) => (error ? reject(error) : resolve()));
    });
  }

  disconnectPrincipal(principalId: string, reason: string): number {
    const known: readonly string[] = ['SERVER_INITIATED_DISCONNECT', 'API_INITIATED_DISCONNECT', 'AUTH_ERROR', 'FORBIDDEN_ACCESS'];
    const presenceReason = (known.includes(reason) ? reason : 'API_INITIATED_DISCONNECT') as DisconnectReason;
    let dropped = 0;
    for (const session of [...this.#live.values()]) {
      if (session.principalIdentifier !== principalId && session.clientId !== principalId) continue;
      this.#deps.logger.info(`dropping client "${session.clientId}": ${reason}`);
      this.#drop(session, presenceReason);
      dropped++;
    }
    return dropped;
  }

  disconnectClient(clientId: string): boolean {
    const session = this.#live.get(clientId);
    if (session === undefined) return false;
    this.#deps.logger.info(`dropping client "${clientId}": kicked by the admin API`);
    this.#drop(session, 'API_INITIATED_DISCONNECT');
    return true;
  }

  connectedClients(): string[] {
    return [...this.#live.keys()];
  }

  tap(filter: string, listener: (topic: string, payload: Uint8Array) => void): () => void {
    const broker = this.#broker;
    if (broker === undefined) throw new Error('broker not started');
    const deliver = (packet: { topic: string; payload: Buffer | string }, done: () => void): void => {
      try {
        listener(packet.topic, typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload);
      } finally {
        done();
      }
    };
    broker.subscribe(filter, deliver, () => undefined);
    return () => broker.unsubscribe(filter, deliver, () => undefined);
  }

  /** Live connections with their effective settings. */
  connections(): ConnectionInfo[] {
    return [...this.#live.values()].map((session) => ({
      clientId: session.clientId,
      principalId: session.principalIdentifier,
      transport: this.#transportAuth.get(session.client.conn)?.transport ?? 'tcp',
      keepalive: session.keepalive,
      clean: session.clean,
    }));
  }

  /** From now on, connections end because the server stops. */
  beginShutdown(): void {
    this.#shuttingDown = true;
  }

  /** Clears every timer (called on stop). */
  dispose(): void {
    for (const timer of this.#expiryTimers.values()) this.#deps.clock.clearTimeout(timer);
    this.#expiryTimers.clear();
    for (const session of this.#live.values()) if (session.timer !== undefined) this.#deps.clock.clearTimeout(session.timer);
  }
}
