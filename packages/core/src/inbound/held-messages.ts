import type { MqttClient } from 'mqtt';

/** The arguments of MQTT.js's `message` event. */
export type MqttMessageArgs = [topic: string, payload: Buffer, packet: { qos: 0 | 1 | 2; retain: boolean; messageId?: number; dup?: boolean }];

/**
 * Holds the messages that arrive between CONNACK and the moment the link session listens.
 * A broker sends queued and resent QoS 1 messages right behind CONNACK, often in the same TCP
 * read; MQTT.js emits them (and PUBACKs them) before the promise of the connection attempt
 * settles, so without a listener from the start they were lost silently (seen with mosquitto
 * on a kept session). `release()` hands them over in order and stops holding.
 */
export class HeldMessages {
  readonly #mqtt: MqttClient;
  readonly #held: MqttMessageArgs[] = [];
  readonly #hold = (...args: MqttMessageArgs): void => void this.#held.push(args);

  constructor(mqtt: MqttClient) {
    this.#mqtt = mqtt;
    mqtt.on('message', this.#hold);
  }

  /** Stops holding and passes every held message to `deliver`, oldest first. */
  release(deliver: (...args: MqttMessageArgs) => void): void {
    this.#mqtt.off('message', this.#hold);
    for (const args of this.#held.splice(0)) deliver(...args);
  }
}
