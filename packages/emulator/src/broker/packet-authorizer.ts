/**
 * IoT Core's checks on what a connected client sends and receives: IoT limits on PUBLISH and
 * SUBSCRIBE, reserved topics, bans, and the connection's policies. Installed as aedes'
 * `authorizePublish`, `authorizeSubscribe` and `authorizeForward` hooks; a refusal is told
 * through {@link PacketRefusals}.
 */
import type { Aedes, Client, PublishPacket, Subscription } from 'aedes';
import { isAllowed } from '../auth/access-policy.js';
import type { UserDirectory } from '../service/contracts.js';
import { clientMaximumPacketSize, heldFilters, messageCounter } from './aedes-internals.js';
import type { IotLimits } from './iot-limits.js';
import { topicProblem } from './iot-limits.js';
import { MQTT5_SUBSCRIPTION_IDENTIFIERS_NOT_SUPPORTED } from './mqtt5-connack.js';
import { publishFits } from './outbound-size.js';
import type { PacketRefusalsDeps } from './packet-refusals.js';
import { PacketRefusals } from './packet-refusals.js';
import type { PacketRefusalReason } from '../refusal-events.js';
import type { SharedSubscriptions } from './shared-subscriptions.js';

/** What {@link PacketAuthorizer} needs. */
export interface PacketAuthorizerDeps extends PacketRefusalsDeps {
  readonly limits: IotLimits;
  readonly users: UserDirectory;
  readonly shared: SharedSubscriptions;
}

const ALWAYS_FORBIDDEN_PUBLISH = ['$aws/events/', '$SYS/'];

/** Authorizes the PUBLISH, SUBSCRIBE and outgoing messages of one aedes broker's clients. */
export class PacketAuthorizer {
  readonly #deps: PacketAuthorizerDeps;
  readonly #refusals: PacketRefusals;

  constructor(deps: PacketAuthorizerDeps) {
    this.#deps = deps;
    this.#refusals = new PacketRefusals(deps);
  }

  /** Installs the authorization hooks on `broker`. */
  install(broker: Aedes): void {
    const refusals = this.#refusals;
    const { shared } = this.#deps;
    // MQTT 3.1.1 clients are refused by closing the link (IoT Core's way); aedes 2 answers an MQTT 5
    // client's refused QoS 1 PUBLISH with PUBACK 0x87 and keeps the link, as IoT Core does for a
    // policy refusal. Other violations still end a v5 link, with DISCONNECT 0x82.
    broker.authorizePublish = (client, packet, done) => {
      const error = client === null ? null : this.#checkPublish(client, packet);
      done(error);
      if (error !== null && client !== null && client.version === 5 && !refusals.keepsLink(error))
        client.disconnect({ reasonCode: refusals.disconnectCode(error) }, () => undefined);
    };
    broker.authorizeSubscribe = (client, subscription, done) => {
      const error = this.#checkSubscribe(client, subscription);
      // A negative grant: aedes 2 answers SUBACK 0x87 for that filter (v5), the link stays up.
      if (error !== null && refusals.keepsLink(error)) done(null, null);
      // aedes closes the link on an error without a word: tell a v5 client why first, as for PUBLISH.
      else if (error !== null && client.version === 5)
        client.disconnect({ reasonCode: refusals.disconnectCode(error) }, () => done(error, null));
      else done(error, error === null ? subscription : null);
    };
    // A message the client may not receive, or larger than its MQTT 5 Maximum Packet Size, is not
    // sent (MQTT 5: dropped as if delivered; a queued QoS 1 copy is cleared).
    broker.authorizeForward = (client, packet) =>
      this.#mayReceive(client, packet.topic) &&
      this.#retainedAllowed(client, packet) &&
      shared.delivers(client.id, packet.topic, messageCounter(packet), packet.retain === true) &&
      publishFits(packet, clientMaximumPacketSize(client))
        ? packet
        : null;
  }

  #checkPublish(client: Client, packet: PublishPacket): Error | null {
    const topic = packet.topic;
    const { limits } = this.#deps;
    const refusals = this.#refusals;
    const refused = (reason: PacketRefusalReason, problem: string): Error =>
      refusals.refuse(
        client,
        'CLIENT_ERROR',
        { action: 'publish', reason, topic },
        `publish to "${topic}" refused: ${problem}`,
      );
    const topicBroken = topicProblem(topic, limits);
    if (topicBroken !== undefined) return refused(topicBroken.reason, topicBroken.message);
    if (packet.payload.length > limits.maxPayloadBytes)
      return refused('payload-too-large', `payload of ${packet.payload.length} bytes over ${limits.maxPayloadBytes}`);
    if (packet.qos === 2) return refused('qos2-unsupported', 'QoS 2 is not supported');
    if (ALWAYS_FORBIDDEN_PUBLISH.some((prefix) => topic.startsWith(prefix))) {
      return refusals.refuse(
        client,
        'FORBIDDEN_ACCESS',
        { action: 'publish', reason: 'reserved-topic', topic },
        `publish to reserved topic "${topic}" refused`,
      );
    }
    return this.#authorize(client, 'iot:Publish', topic);
  }

  #checkSubscribe(client: Client, subscription: Subscription): Error | null {
    const { limits, sessions } = this.#deps;
    const refusals = this.#refusals;
    const session = sessions.of(client);
    const topic = subscription.topic;
    if (session?.tooManyFilters === true) {
      return refusals.refuse(
        client,
        'CLIENT_ERROR',
        { action: 'subscribe', reason: 'too-many-filters', topic },
        `SUBSCRIBE with more than ${limits.maxFiltersPerSubscribe} filters refused`,
      );
    }
    if (session?.subscriptionIdentifierSent === true) {
      return refusals.refuse(
        client,
        'CLIENT_ERROR',
        { action: 'subscribe', reason: 'subscription-identifier', topic },
        'SUBSCRIBE with a subscription identifier refused: the CONNACK said Subscription Identifiers Available 0',
        MQTT5_SUBSCRIPTION_IDENTIFIERS_NOT_SUPPORTED,
      );
    }
    const held = heldFilters(client);
    if (!(topic in held) && Object.keys(held).length >= limits.maxSubscriptionsPerConnection) {
      return refusals.refuse(
        client,
        'CLIENT_ERROR',
        { action: 'subscribe', reason: 'too-many-subscriptions', topic },
        `more than ${limits.maxSubscriptionsPerConnection} subscriptions on one connection`,
      );
    }
    const problem = topicProblem(topic, limits);
    if (problem !== undefined)
      return refusals.refuse(
        client,
        'CLIENT_ERROR',
        { action: 'subscribe', reason: problem.reason, topic },
        `subscribe to "${topic}" refused: ${problem.message}`,
      );
    return this.#authorize(client, 'iot:Subscribe', topic);
  }

  #authorize(client: Client, action: 'iot:Publish' | 'iot:Subscribe', target: string): Error | null {
    const { sessions, users } = this.#deps;
    const refusals = this.#refusals;
    const what = { action: action === 'iot:Publish' ? 'publish' : 'subscribe', topic: target } as const;
    const session = sessions.of(client);
    if (session === undefined)
      return refusals.refuse(client, 'AUTH_ERROR', { ...what, reason: 'no-session' }, 'no session');
    if (users.isBanned(session.clientId) || users.isBanned(session.principalIdentifier)) {
      return refusals.refuse(client, 'AUTH_ERROR', { ...what, reason: 'banned' }, `${action} by banned client refused`);
    }
    if (!isAllowed(session.policies, action, target))
      return refusals.refuse(
        client,
        'FORBIDDEN_ACCESS',
        { ...what, reason: 'policy-denied' },
        `${action} on "${target}" not allowed by policy`,
      );
    return null;
  }

  #mayReceive(client: Client, topic: string): boolean {
    const session = this.#deps.sessions.of(client);
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
}
