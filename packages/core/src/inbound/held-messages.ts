import type { EngineMessage, MqttLink } from '../mqtt/mqtt-engine.js';

/**
 * Holds the messages that arrive between CONNACK and the moment the link session listens.
 * A broker sends queued and resent QoS 1 messages right behind CONNACK, often in the same TCP
 * read; an engine emits them before the promise of the connection attempt settles, so without
 * a listener from the start they were lost silently (seen with mosquitto on a kept session).
 * `release()` hands them over in order and stops holding. Holding does not acknowledge: the
 * deliverer acknowledges at release, and a link closed before release acknowledges nothing,
 * so the broker sends those messages again.
 */
export class HeldMessages {
  readonly #mqtt: MqttLink;
  readonly #held: EngineMessage[] = [];
  readonly #hold = (message: EngineMessage): void => void this.#held.push(message);

  constructor(mqtt: MqttLink) {
    this.#mqtt = mqtt;
    mqtt.on('message', this.#hold);
  }

  /** Stops holding and passes every held message to `deliver`, oldest first. */
  release(deliver: (message: EngineMessage) => void): void {
    this.#mqtt.off('message', this.#hold);
    for (const message of this.#held.splice(0)) deliver(message);
  }
}
