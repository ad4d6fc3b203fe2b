/**
 * The service's control of the local broker ({@link BrokerControl}): publish as the service, list
 * and drop connections, watch topics. The IoT Core rules towards clients are {@link IotBrokerRules}.
 */
import type { Aedes } from 'aedes';
import type { Logger } from '../logger.js';
import type { TopicRuleEngine } from '../rules/topic-rule-engine.js';
import type { BrokerControl, MessagePublisher } from '../service/contracts.js';
import { forgetWill, queuedMessageCount } from './aedes-internals.js';
import type { MessageProperties } from './message-properties.js';
import type { ConnectionInfo, LiveSessions } from './live-sessions.js';
import type { DisconnectReason } from './presence-events.js';

const PRESENCE_REASONS: readonly string[] = [
  'SERVER_INITIATED_DISCONNECT',
  'API_INITIATED_DISCONNECT',
  'AUTH_ERROR',
  'FORBIDDEN_ACCESS',
];

/** How `DeleteConnection` ends a connection (the data plane's query parameters). */
export interface DeleteConnectionOptions {
  /** End the persistent session too: subscriptions and queued messages. @default false */
  readonly cleanSession?: boolean;
  /** Do not publish the client's last will. @default false */
  readonly preventWillMessage?: boolean;
}

/** {@link BrokerControl} over one aedes broker and its sessions. */
export class LocalBrokerControl implements BrokerControl {
  readonly #broker: Aedes;
  readonly #sessions: LiveSessions;
  readonly #logger: Logger;

  readonly #rules: TopicRuleEngine | undefined;

  constructor(broker: Aedes, sessions: LiveSessions, logger: Logger, rules?: TopicRuleEngine) {
    this.#broker = broker;
    this.#sessions = sessions;
    this.#logger = logger;
    this.#rules = rules;
  }

  async publish(
    topic: string,
    payload: Uint8Array,
    options: { qos?: 0 | 1; retain?: boolean; publisher?: MessagePublisher; properties?: MessageProperties } = {},
  ): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.#broker.publish(
        {
          cmd: 'publish',
          topic,
          payload: Buffer.from(payload),
          qos: options.qos ?? 0,
          retain: options.retain ?? false,
          dup: false,
          // MQTT 5 subscribers get them; aedes leaves them out towards 3.1.1 clients.
          ...(options.properties === undefined || Object.keys(options.properties).length === 0
            ? {}
            : { properties: { ...options.properties } }),
        },
        (error) => (error ? reject(error) : resolve()),
      );
    });
    // A client's message sent through the service (POST /publish) is a client message to the rules too.
    if (options.publisher !== undefined)
      this.#rules?.dispatch({ topic, payload, ...options.publisher, via: 'service-api' });
  }

  disconnectPrincipal(principalId: string, reason: string): number {
    const presenceReason = (
      PRESENCE_REASONS.includes(reason) ? reason : 'API_INITIATED_DISCONNECT'
    ) as DisconnectReason;
    let dropped = 0;
    for (const session of this.#sessions.all()) {
      if (session.principalIdentifier !== principalId && session.clientId !== principalId) continue;
      this.#logger.info(`dropping client "${session.clientId}": ${reason}`);
      this.#sessions.drop(session, presenceReason);
      dropped++;
    }
    return dropped;
  }

  disconnectClient(clientId: string): boolean {
    return this.deleteConnection(clientId);
  }

  /**
   * The data plane's `DeleteConnection`: drops the live link of `clientId` (MQTT 5: DISCONNECT
   * 0x98). As on IoT Core, a persistent session survives unless `cleanSession` (its
   * subscriptions and queued messages go, the rejoin finds none), and the last will is
   * published unless `preventWillMessage`.
   * @returns false when `clientId` has no live connection
   */
  deleteConnection(clientId: string, options: DeleteConnectionOptions = {}): boolean {
    const session = this.#sessions.live(clientId);
    if (session === undefined) return false;
    const how = [options.cleanSession === true && 'session ended', options.preventWillMessage === true && 'no will']
      .filter(Boolean)
      .join(', ');
    this.#logger.info(`dropping client "${clientId}": kicked by the admin API${how === '' ? '' : ` (${how})`}`);
    if (options.cleanSession === true) session.endsSession = true;
    if (options.preventWillMessage === true)
      forgetWill(this.#broker, session.client).catch((error: unknown) =>
        this.#logger.warn(`could not forget the will of "${clientId}": ${(error as Error).message}`),
      );
    this.#sessions.drop(session, 'API_INITIATED_DISCONNECT');
    return true;
  }

  connectedClients(): string[] {
    return this.#sessions.all().map((session) => session.clientId);
  }

  tap(filter: string, listener: (topic: string, payload: Uint8Array) => void): () => void {
    const deliver = (packet: { topic: string; payload: Buffer | string }, done: () => void): void => {
      try {
        listener(packet.topic, typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload);
      } finally {
        done();
      }
    };
    this.#broker.subscribe(filter, deliver, () => undefined);
    return () => this.#broker.unsubscribe(filter, deliver, () => undefined);
  }

  /** How many messages are queued for `clientId`'s stored session (0 when it has none). */
  queuedMessages(clientId: string): Promise<number> {
    return queuedMessageCount(this.#broker, clientId);
  }

  /** Live connections with their effective settings. */
  connections(): ConnectionInfo[] {
    return this.#sessions.connections();
  }
}
