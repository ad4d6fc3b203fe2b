import type { ReceivedMessage } from './events.js';

/**
 * Keeps QoS 1 redeliveries from reaching handlers twice. A broker resends, on a later link of a
 * persistent session, QoS 1 messages whose PUBACK it did not get; it keeps their packet id (as
 * MQTT requires) but AWS IoT Core does not support the DUP flag and aedes does not set it, and a
 * resend may come several links later (seen with aedes). So the last `capacity` QoS 1 deliveries
 * are remembered by packet id, topic and payload, with the link they came on; the same message
 * arriving on a *later* link is a resend and is dropped. A new message only collides when the
 * broker reuses the id for an identical topic and payload across a reconnect. Memory is bounded.
 */
export class RedeliveryFilter {
  readonly #capacity: number;
  /** Key → number of the link it was first delivered on, oldest first. */
  readonly #seen = new Map<string, number>();
  #link = 0;

  constructor(capacity = 1024) {
    this.#capacity = capacity;
  }

  /** True when `message` should reach handlers; false for a resend of one already delivered. */
  admit(message: ReceivedMessage): boolean {
    if (message.qos !== 1 || message.messageId === undefined) return true;
    const key = keyOf(message);
    const firstLink = this.#seen.get(key);
    if (firstLink !== undefined && firstLink < this.#link) return false;
    if (firstLink === undefined) {
      this.#seen.set(key, this.#link);
      if (this.#seen.size > this.#capacity) this.#seen.delete(this.#seen.keys().next().value as string);
    }
    return true;
  }

  /** A link ended: what comes from now on arrives on a later link. */
  linkEnded(): void {
    this.#link += 1;
  }
}

function keyOf(message: ReceivedMessage): string {
  // FNV-1a over the payload: cheap, and a collision only matters together with id and topic.
  let hash = 0x811c9dc5;
  for (const byte of message.payload) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  return `${message.messageId ?? ''}|${message.topic}|${message.payload.length}|${hash}`;
}
