/**
 * The broker's one hook for server-side rules: every PUBLISH a client sent that aedes accepted
 * (so the IoT policy check in {@link PacketAuthorizer} passed) goes to the rule engine with the
 * publisher's identity. The service's own publishes (`client` null: admin publish, presence
 * events) are not client messages; `POST /publish` hands its message to the engine itself, with
 * the caller's identity (see local-broker-control.ts).
 */
import type { Aedes } from 'aedes';
import type { TopicRuleEngine } from '../rules/topic-rule-engine.js';
import type { LiveSessions } from './live-sessions.js';

/** Forwards accepted client publishes on `broker` to `engine`. */
export function forwardClientPublishes(broker: Aedes, sessions: LiveSessions, engine: TopicRuleEngine): void {
  broker.on('publish', (packet, client) => {
    if (client === null || client === undefined) return;
    const session = sessions.of(client);
    if (session === undefined) return;
    const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
    engine.dispatch({
      topic: packet.topic,
      payload,
      clientId: session.clientId,
      principalId: session.principalIdentifier,
      via: 'mqtt',
    });
  });
}
