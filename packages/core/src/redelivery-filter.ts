import type { ReceivedMessage } from './events.js';

/**
 * Keeps QoS 1 redeliveries from reaching handlers twice. When a link ends, the broker resends
 * the QoS 1 messages whose PUBACK it did not get on the next link of the persistent session.
 * Neither the DUP flag (AWS IoT Core does not support it, aedes does not set it) nor the packet id
 * (aedes assigns a new one) identifies them, so: remember the last QoS 1 deliveries of a link, and
 * on the next link drop, once each, a message with the same topic and payload, until the new link
 * has been up `stableAfterMs`. The cost: a genuinely new message identical to one delivered just
 * before a link change is dropped; content updates carry versions, so they never are.
 * Memory is bounded.
 */
export class RedeliveryFilter {
  readonly #capacity: number;
  /** Keys delivered on the current link (with counts), oldest first. */
  #recent = new Map<string, number>();
  /** Keys delivered on the previous link, each count may be redelivered once. */
  #suspects = new Map<string, number>();
  #recentSize = 0;

  constructor(capacity = 256) {
    this.#capacity = capacity;
  }

  /**
   * True when `message` should reach handlers; false for a redelivery already delivered.
   * `current` is false for a message still arriving on a link that was already replaced: it is
   * delivered (its PUBACK may have gone out) and remembered as one the next link may resend.
   */
  admit(message: ReceivedMessage, current = true): boolean {
    if (message.qos !== 1) return true;
    const key = keyOf(message);
    if (take(this.#suspects, key)) return false;
    if (!current) {
      this.#suspects.set(key, (this.#suspects.get(key) ?? 0) + 1);
      return true;
    }
    this.#recent.set(key, (this.#recent.get(key) ?? 0) + 1);
    this.#recentSize += 1;
    if (this.#recentSize > this.#capacity) {
      const oldest = this.#recent.keys().next().value as string;
      if (take(this.#recent, oldest)) this.#recentSize -= 1;
    }
    return true;
  }

  /** The new link has been up long enough: anything still resent would have come by now. */
  settle(): void {
    this.#suspects.clear();
  }

  /** A link ended: what it delivered may come again on the next one. */
  linkEnded(): void {
    this.#suspects = this.#recent;
    this.#recent = new Map();
    this.#recentSize = 0;
  }
}

/** Takes one count of `key`; false when there is none. */
function take(counts: Map<string, number>, key: string): boolean {
  const count = counts.get(key);
  if (count === undefined) return false;
  if (count <= 1) counts.delete(key);
  else counts.set(key, count - 1);
  return true;
}

function keyOf(message: ReceivedMessage): string {
  // FNV-1a over the payload: cheap, and collisions only matter together with id and topic.
  let hash = 0x811c9dc5;
  for (const byte of message.payload) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  return `${message.topic}|${message.payload.length}|${hash}`;
}
