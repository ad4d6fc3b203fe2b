import type { ReceivedMessage } from '../events.js';
import { stampedMessageId } from './message-id.js';

/**
 * Keeps provable resends of QoS 1 messages from reaching handlers twice, and drops nothing
 * else: QoS 1 is at-least-once, and a message that might be new is always delivered. The rules:
 *
 * 1. A message stamped with a message id (`webcomm-message-id`, see `message-id.ts`) is
 *    delivered once per id: a resend under a new packet id, with or without DUP, is dropped.
 *    Retained copies (sent again on every subscribe) are not deduplicated.
 * 2. An unstamped message without DUP is never dropped. Brokers number packet ids afresh (on a
 *    new session, and some on every link of a kept session: the first delivery of each link is
 *    id 1), so a new message may repeat an earlier one's id, topic and payload.
 * 3. An unstamped message with DUP is dropped when one with the same packet id, topic and
 *    payload was delivered earlier in the same kept session: the broker says it is a resend,
 *    and we have the original. A link whose CONNACK says `sessionPresent: false` starts a new
 *    session, where nothing can be a resend, so what was remembered is forgotten.
 * 4. A message whose PUBACK the broker is known to have processed cannot be resent: a PINGRESP
 *    to a PINGREQ written after the PUBACK proves it (a broker handles a connection's packets in
 *    order). The client's `AckConfirmer` sends such a ping about a second after QoS 1
 *    deliveries, and what it confirms is forgotten, so a later DUP with the same key is taken
 *    for the resend of a message never delivered, and delivered.
 *
 * Brokers that resend without DUP (IoT Core does not support DUP; aedes leaves it unset) thus
 * deliver a resend twice unless it is stamped: documented in docs/concepts.md. The last
 * `capacity` QoS 1 deliveries and stamps are remembered: memory is bounded.
 */
export class RedeliveryFilter {
  readonly #capacity: number;
  /** Keys of unstamped QoS 1 deliveries in this session, oldest first. Made on first use. */
  #seen: Set<string> | undefined;
  /** Stamped ids delivered, oldest first; kept across sessions (an id names one publish). */
  #stamps: Set<string> | undefined;
  /** Keys delivered on the current link and not yet covered by a confirming ping. */
  #unconfirmed: string[] = [];
  /** Keys covered by the ping in flight. */
  #confirming: string[] = [];

  constructor(capacity = 1024) {
    this.#capacity = capacity;
  }

  /**
   * A link got its CONNACK; messages from now on arrive on it. `sessionPresent` false: the
   * broker kept nothing, so nothing it sends can be a resend of what came before.
   */
  linkStarted(sessionPresent: boolean): void {
    // Pings of the old link were never answered: what they covered may still be resent.
    this.#unconfirmed = [];
    this.#confirming = [];
    if (!sessionPresent) this.#seen = undefined;
  }

  /** True when `message` should reach handlers; false for a provable resend of one delivered. */
  admit(message: ReceivedMessage): boolean {
    if (message.qos !== 1) return true;
    const stamp = message.retain ? undefined : stampedMessageId(message);
    if (stamp !== undefined) {
      const stamps = (this.#stamps ??= new Set());
      if (stamps.has(stamp)) return false;
      remember(stamps, stamp, this.#capacity);
      return true;
    }
    if (message.messageId === undefined) return true;
    const key = keyOf(message);
    const seen = (this.#seen ??= new Set());
    if (message.dup === true && seen.has(key)) return false;
    remember(seen, key, this.#capacity);
    this.#unconfirmed.push(key);
    return true;
  }

  /** QoS 1 deliveries on the current link wait for a confirming ping. */
  get unconfirmed(): number {
    return this.#unconfirmed.length;
  }

  /** A PINGREQ was written after the PUBACKs of every delivery so far on this link. */
  pingSent(): void {
    this.#confirming.push(...this.#unconfirmed);
    this.#unconfirmed = [];
  }

  /**
   * Its PINGRESP came: the broker processed those PUBACKs, so those messages cannot come again;
   * forget them (a later DUP with the same key resends another message). Returns how many.
   */
  pingAnswered(): number {
    let forgotten = 0;
    for (const key of this.#confirming) if (this.#seen?.delete(key) === true) forgotten += 1;
    this.#confirming = [];
    return forgotten;
  }
}

/** Adds `value` as the newest entry (moved there if present), evicting the oldest past `capacity`. */
function remember(set: Set<string>, value: string, capacity: number): void {
  set.delete(value);
  set.add(value);
  if (set.size > capacity) set.delete(set.values().next().value as string);
}

function keyOf(message: ReceivedMessage): string {
  // FNV-1a over the payload: cheap, and a collision only matters together with id and topic.
  let hash = 0x811c9dc5;
  for (const byte of message.payload) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  return `${message.messageId ?? ''}|${message.topic}|${message.payload.length}|${hash}`;
}
