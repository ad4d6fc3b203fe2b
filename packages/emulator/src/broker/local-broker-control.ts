/**
 * The service's control of the local broker ({@link BrokerControl}): publish as the service, list
 * and drop connections, watch topics. The IoT Core rules towards clients are {@link IotBrokerRules}.
 */
import type { Aedes } from 'aedes';
import type { Logger } from '../logger.js';
import type { TopicRuleEngine } from '../rules/topic-rule-engine.js';
import type { BrokerControl, MessagePublisher } from '../service/contracts.js';
import type { ConnectionInfo, LiveSessions } from './live-sessions.js';
import type { DisconnectReason } from './presence-events.js';

const PRESENCE_REASONS: readonly string[] = [
  'SERVER_INITIATED_DISCONNECT',
  'API_INITIATED_DISCONNECT',
  'AUTH_ERROR',
  'FORBIDDEN_ACCESS',
];

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
    options: { qos?: 0 | 1; retain?: boolean; publisher?: MessagePublisher } = {},
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
    const session = this.#sessions.live(clientId);
    if (session === undefined) return false;
    this.#logger.info(`dropping client "${clientId}": kicked by the admin API`);
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

  /** Live connections with their effective settings. */
  connections(): ConnectionInfo[] {
    return this.#sessions.connections();
  }
}
