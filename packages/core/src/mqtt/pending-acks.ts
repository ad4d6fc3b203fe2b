import type { Packet } from './codec/packets.js';
import { MqttProtocolError } from './protocol-error.js';

/** The acknowledgement each request waits for. */
export type AckType = 'puback' | 'suback' | 'unsuback';

/** One operation waiting for the broker's acknowledgement. */
interface Waiting {
  readonly expects: AckType;
  readonly settle: (packet: Packet) => void;
  readonly fail: (error: Error) => void;
}

/**
 * The lean engine's operations waiting for PUBACK, SUBACK or UNSUBACK, by packet id: allocates
 * ids that are not in use (1–65,535, wrapping) and settles each operation with its answer.
 */
export class PendingAcks {
  /** Made on first use: an idle link that has its SUBACKs waits for nothing. */
  #waiting: Map<number, Waiting> | undefined;
  #nextId = 0;

  /** Registers an operation; returns the packet id to send it with. */
  add(expects: AckType, settle: (packet: Packet) => void, fail: (error: Error) => void): number {
    const messageId = this.#allocateId();
    (this.#waiting ??= new Map()).set(messageId, { expects, settle, fail });
    return messageId;
  }

  /**
   * Settles the operation the acknowledgement answers (an unknown id is ignored: a late answer
   * after `end()`). An acknowledgement of the wrong type for its id (a SUBACK answering a
   * PUBLISH) is a protocol error, as in MQTT.js.
   */
  settle(messageId: number, packet: Packet & { cmd: AckType }): void {
    const waiting = this.#waiting?.get(messageId);
    if (waiting !== undefined && waiting.expects !== packet.cmd)
      throw new MqttProtocolError(
        `${packet.cmd.toUpperCase()} does not answer the ${waiting.expects.toUpperCase()} awaited on packet id ${messageId}`,
      );
    this.#waiting?.delete(messageId);
    // Nothing left waiting (an idle link): no empty map kept.
    if (this.#waiting?.size === 0) this.#waiting = undefined;
    waiting?.settle(packet);
  }

  /** Fails every waiting operation (the link ends). */
  rejectAll(error: Error): void {
    const waiting = [...(this.#waiting?.values() ?? [])];
    this.#waiting?.clear();
    for (const w of waiting) w.fail(error);
  }

  #allocateId(): number {
    for (let tries = 0; tries < 0xffff; tries++) {
      this.#nextId = (this.#nextId % 0xffff) + 1;
      if (this.#waiting?.has(this.#nextId) !== true) return this.#nextId;
    }
    throw new Error('No free MQTT packet identifier: 65,535 operations unanswered');
  }
}
