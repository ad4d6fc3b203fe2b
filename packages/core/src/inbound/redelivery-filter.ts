import type { ReceivedMessage } from '../events.js';

/**
 * Keeps QoS 1 redeliveries from reaching handlers twice, and never drops a message that cannot
 * be a redelivery. A broker resends, on a later link of a *kept* session, QoS 1 messages whose
 * PUBACK it did not get, with their packet id (as MQTT requires). The rules:
 *
 * 1. A link whose CONNACK says `sessionPresent: false` starts a new session: the broker has
 *    nothing to resend, so everything remembered is forgotten. (Clean sessions, and mosquitto or
 *    IoT Core after a restart without persistence, number packet ids afresh: a new message with
 *    an old id, topic and payload is new.)
 * 2. Within a kept session, the DUP flag decides where the broker sets it (mosquitto does): a
 *    resend carries DUP, so once one DUP message was seen in this session, a message without it
 *    is new whatever its id.
 * 3. Where the broker does not set DUP (IoT Core does not support it, aedes leaves it unset; a
 *    resend may come several links later, seen with aedes), a message equal in packet id, topic
 *    and payload to one first delivered on an *earlier* link of the same session is a resend.
 *    Only then can a genuine message be mistaken for one: the broker would have to reuse the id
 *    for an identical topic and payload across a reconnect within one kept session.
 *
 * 4. A message whose PUBACK the broker is known to have processed cannot be resent: a PINGRESP
 *    to a PINGREQ written after the PUBACK proves it (a broker handles a connection's packets in
 *    order). The client's `AckConfirmer` sends such a ping about a second after QoS 1 deliveries, and
 *    what it confirms is forgotten; the ambiguity of rule 3 is left only for messages that came
 *    within about a second before a link dropped.
 *
 * The last `capacity` QoS 1 deliveries are remembered: memory is bounded.
 */
export class RedeliveryFilter {
  readonly #capacity: number;
  /** Key → number of the link it was first delivered on, oldest first. Made on the first QoS 1 delivery. */
  #seen: Map<string, number> | undefined;
  #link = 0;
  /** The broker marked a resend with DUP in this session: a message without DUP is new. */
  #brokerSetsDup = false;
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
    this.#link += 1;
    // Pings of the old link were never answered: what they covered may still be resent.
    this.#unconfirmed = [];
    this.#confirming = [];
    if (!sessionPresent) {
      this.#seen = undefined;
      this.#brokerSetsDup = false;
    }
  }

  /** True when `message` should reach handlers; false for a resend of one already delivered. */
  admit(message: ReceivedMessage): boolean {
    if (message.qos !== 1 || message.messageId === undefined) return true;
    const key = keyOf(message);
    const seen = (this.#seen ??= new Map());
    const firstLink = seen.get(key);
    if (message.dup === true) this.#brokerSetsDup = true;
    const mayBeResend = message.dup === true || !this.#brokerSetsDup;
    if (mayBeResend && firstLink !== undefined && firstLink < this.#link) return false;
    // Remembered from the link it first came on; a new message reusing the key restarts it.
    if (firstLink !== undefined) seen.delete(key);
    seen.set(key, this.#link);
    if (seen.size > this.#capacity) seen.delete(seen.keys().next().value as string);
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
   * forget them (a later message with the same id, topic and payload is new). Returns how many.
   */
  pingAnswered(): number {
    let forgotten = 0;
    for (const key of this.#confirming)
      if (this.#seen?.get(key) === this.#link && this.#seen.delete(key)) forgotten += 1;
    this.#confirming = [];
    return forgotten;
  }
}

function keyOf(message: ReceivedMessage): string {
  // FNV-1a over the payload: cheap, and a collision only matters together with id and topic.
  let hash = 0x811c9dc5;
  for (const byte of message.payload) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  return `${message.messageId ?? ''}|${message.topic}|${message.payload.length}|${hash}`;
}
