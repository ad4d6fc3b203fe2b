/** Publishes IoT Core lifecycle events (built by presence-events.ts) on the broker. */
import type { Aedes } from 'aedes';
import type { Logger } from '../logger.js';

/** A presence event and the topic it goes to. */
export interface PresenceMessage {
  readonly topic: string;
  readonly event: object;
}

/**
 * Publishes `message` as the service (QoS 0, not retained); a failure is logged, as nobody waits
 * for the event.
 */
export function publishPresence(broker: Aedes, message: PresenceMessage, logger: Logger): void {
  broker.publish(
    {
      cmd: 'publish',
      topic: message.topic,
      payload: Buffer.from(JSON.stringify(message.event)),
      qos: 0,
      retain: false,
      dup: false,
    },
    (error) => {
      if (error) logger.warn(`presence event on ${message.topic} not published: ${error.message}`);
    },
  );
}
