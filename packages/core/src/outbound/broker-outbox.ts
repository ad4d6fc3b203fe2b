import type { MqttLink, PublishProperties } from '../mqtt/mqtt-engine.js';
import type { Clock, TimerHandle } from '../util/clock.js';
import { ERROR_CODES, WebcommError } from '../errors.js';
import type { Logger } from '../util/logger.js';
import { OfflineQueue, type OfflineQueueOptions, type QueuedItem } from './offline-queue.js';
import { strikeOnClose, withinRefusalWindow } from '../connection/refusal-by-close.js';

/** One broker publish waiting for its outcome. */
interface Pending {
  readonly topic: string;
  readonly payload: Uint8Array;
  readonly qos: 0 | 1;
  readonly retain: boolean;
  /** MQTT 5 properties (message expiry, user properties). */
  readonly properties: PublishProperties | undefined;
  readonly resolve: () => void;
  readonly reject: (error: WebcommError) => void;
  /** The link it was written to; callbacks from any other link are stale and ignored. */
  sentOn: MqttLink | undefined;
  settled: boolean;
  /** Links that closed while it waited for PUBACK, each close possibly its refusal. */
  strikes: number;
  /** When it was last written (clock ms). */
  sentAt: number;
}

/** How a link ended, for the messages in flight on it. */
export interface DetachCause {
  /** The broker closed the link while requests were unanswered: it may be refusing one. */
  readonly attributed: boolean;
  /** Unanswered SUBSCRIBEs on that link (a publish is alone only when there were none). */
  readonly subscribesInFlight: number;
}

/**
 * Broker publishes: sent at once while a link is up, otherwise held in a bounded
 * {@link OfflineQueue} and flushed on the next link. Every promise settles: PUBACK (QoS 1) or
 * write (QoS 0) resolves; overflow, expiry, cancel and close reject. Messages in flight when
 * a link drops go back to the head of the queue and are sent again (at least once).
 *
 * A broker that refuses a publish by closing the link (IoT Core on MQTT 3.1.1, for a topic
 * outside the policy) must not make it loop: each QoS 1 message in flight at such a close gets
 * a strike, and the next link sends struck messages before anything else and apart: first
 * together (one strike), then one at a time (two). A message whose lone send is closed again,
 * or that reaches the rule's `MAX_STRIKES` (`refusal-by-close.ts`), is rejected with
 * `PUBLISH_REFUSED`; the others go on.
 */
export class BrokerOutbox {
  readonly #queue: OfflineQueue<Pending>;
  readonly #ttlMs: number;
  readonly #clock: Clock;
  readonly #logger: Logger;
  /** Sent and not yet answered; made on the first publish (a subscribe-only client never has one). */
  #inFlight: Set<Pending> | undefined;
  /**
   * Struck messages being sent apart; nothing else is sent until they are answered. Made on
   * first use: only a broker that closed links on publishes leaves any.
   */
  #probes: Set<Pending> | undefined;
  #link: MqttLink | undefined;
  #expiryTimer: TimerHandle | undefined;

  constructor(options: OfflineQueueOptions, clock: Clock, logger: Logger) {
    this.#queue = new OfflineQueue(options);
    this.#ttlMs = options.ttlMs;
    this.#clock = clock;
    this.#logger = logger;
  }

  /** Messages waiting for a link. */
  get queued(): number {
    return this.#queue.length;
  }

  /**
   * Publishes (or queues) one message; `signal` cancels it while it is still queued. Without a
   * signal it still settles: on write (QoS 0), PUBACK (QoS 1), queue expiry or close.
   */
  submit(
    topic: string,
    payload: Uint8Array,
    qos: 0 | 1,
    retain: boolean,
    signal?: AbortSignal,
    properties?: PublishProperties,
  ): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const pending: Pending = {
        topic,
        payload,
        qos,
        retain,
        properties,
        resolve,
        reject,
        sentOn: undefined,
        settled: false,
        strikes: 0,
        sentAt: 0,
      };
      signal?.addEventListener('abort', () => this.#cancel(pending), { once: true });
      if (this.#link !== undefined && this.#probing === 0) {
        this.#send(pending, this.#link);
        return;
      }
      // A message with an MQTT 5 expiry is stale after it, here as at the broker: dropped, not sent late.
      const expiryMs =
        properties?.messageExpiryInterval === undefined
          ? this.#ttlMs
          : Math.min(this.#ttlMs, properties.messageExpiryInterval * 1000);
      const { accepted, evicted } = this.#queue.push(
        pending,
        payload.byteLength + topic.length,
        this.#clock.now(),
        expiryMs,
      );
      for (const old of evicted) {
        this.#settle(
          old,
          queueFull(old.topic, 'it was the oldest message in a full offline queue (policy drop-oldest)'),
        );
      }
      if (!accepted) {
        this.#settle(pending, queueFull(topic, 'the offline queue is full or the message exceeds queue.maxBytes'));
      }
      this.#armExpiry();
    });
  }

  /** Struck messages sent apart and not yet answered. */
  get #probing(): number {
    return this.#probes?.size ?? 0;
  }

  /** QoS 1 messages waiting for PUBACK on the current link, written within the refusal window. */
  awaitingAck(): number {
    const now = this.#clock.now();
    let n = 0;
    for (const p of this.#inFlight ?? []) if (p.qos === 1 && withinRefusalWindow(p.sentAt, now)) n += 1;
    return n;
  }

  /** A link is up: flush the queue onto it (struck messages first, apart). */
  attach(link: MqttLink): void {
    this.#link = link;
    this.#pump(link);
    this.#armExpiry();
  }

  /**
   * The link is gone: put unacknowledged messages back at the head of the queue. When the
   * broker may have closed it to refuse one of them (`cause.attributed`), strike them first.
   */
  detach(cause?: DetachCause): void {
    this.#link = undefined;
    this.#probes = undefined;
    const expiresAt = this.#clock.now() + this.#ttlMs;
    const closedAt = this.#clock.now();
    const suspect = (p: Pending): boolean =>
      cause?.attributed === true && p.qos === 1 && withinRefusalWindow(p.sentAt, closedAt);
    const inFlight = this.#inFlight ?? [];
    const suspects = [...inFlight].filter(suspect).length + (cause?.subscribesInFlight ?? 0);
    const back: QueuedItem<Pending>[] = [];
    for (const value of inFlight) {
      value.sentOn = undefined;
      if (suspect(value)) {
        const verdict = strikeOnClose(value.strikes, suspects);
        value.strikes = verdict.strikes;
        if (verdict.refused) {
          this.#settle(value, publishRefused(value.topic, value.strikes));
          continue;
        }
      }
      back.push({ value, bytes: value.payload.byteLength + value.topic.length, expiresAt });
    }
    this.#inFlight?.clear();
    if (back.length > 0) this.#logger.debug('requeue in-flight publishes', { count: back.length });
    this.#queue.unshift(back);
    this.#armExpiry();
  }

  /** Rejects everything queued or in flight with `error` and clears the timer. */
  closeAll(error: WebcommError): void {
    this.#link = undefined;
    this.#probes = undefined;
    for (const item of this.#queue.drain()) this.#settle(item.value, error);
    for (const pending of this.#inFlight ?? []) this.#settle(pending, error);
    this.#inFlight?.clear();
    this.#armExpiry();
  }

  /**
   * Sends what is queued. Struck messages go first and apart: those with one strike together,
   * then each with more alone; the rest waits until they are answered.
   */
  #pump(link: MqttLink): void {
    if (this.#probing > 0) return;
    const items = this.#queue.drain();
    const struck = items.filter((item) => item.value.strikes > 0);
    if (struck.length === 0) {
      for (const item of items) this.#send(item.value, link);
      return;
    }
    const lone = struck.find((item) => item.value.strikes >= 2);
    const batch = lone === undefined ? struck : [lone];
    this.#queue.unshift(items.filter((item) => !batch.includes(item)));
    this.#logger.debug('sending publishes apart after a link closed on them', { count: batch.length });
    const probes = (this.#probes ??= new Set());
    for (const item of batch) {
      probes.add(item.value);
      this.#send(item.value, link);
    }
  }

  #send(pending: Pending, link: MqttLink): void {
    pending.sentOn = link;
    pending.sentAt = this.#clock.now();
    (this.#inFlight ??= new Set()).add(pending);
    const answered = (error?: WebcommError): void => {
      if (pending.sentOn !== link) return; // requeued after the link dropped; the new link decides
      this.#inFlight?.delete(pending);
      if (this.#probes?.delete(pending) === true && this.#probing === 0 && this.#link === link) {
        queueMicrotask(() => this.#link === link && this.#pump(link));
      }
      this.#settle(pending, error);
    };
    const sent = link.publish(pending.topic, pending.payload, {
      qos: pending.qos,
      retain: pending.retain,
      ...(pending.properties === undefined ? {} : { properties: pending.properties }),
    });
    // QoS 0 has no answer: handed to the live link, it is sent (the engine writes it at once,
    // ahead of anything sent later, a DISCONNECT included), so it never waits in flight where
    // a link drop would send it twice.
    if (pending.qos === 0) {
      answered();
      sent.catch(() => undefined);
      return;
    }
    sent.then(
      ({ reasonCode, reasonString }) =>
        answered(reasonCode < 0x80 ? undefined : pubackRefusal(pending.topic, reasonCode, reasonString)),
      (error: unknown) =>
        answered(publishFailed(pending.topic, error instanceof Error ? error.message : String(error), error)),
    );
  }

  #cancel(pending: Pending): void {
    // The deadline wrapper already rejected the caller's promise; just stop sending it.
    this.#queue.remove(pending);
    this.#inFlight?.delete(pending);
    if (this.#probes?.delete(pending) === true && this.#probing === 0 && this.#link !== undefined)
      this.#pump(this.#link);
    pending.sentOn = undefined;
    pending.settled = true;
  }

  #settle(pending: Pending, error?: WebcommError): void {
    if (pending.settled) return;
    pending.settled = true;
    if (error === undefined) pending.resolve();
    else pending.reject(error);
  }

  #armExpiry(): void {
    if (this.#expiryTimer !== undefined) this.#clock.clearTimeout(this.#expiryTimer);
    this.#expiryTimer = undefined;
    const next = this.#queue.nextExpiry();
    if (next === undefined) return;
    this.#expiryTimer = this.#clock.setTimeout(
      () => {
        this.#expiryTimer = undefined;
        for (const pending of this.#queue.takeExpired(this.#clock.now())) {
          this.#settle(
            pending,
            new WebcommError(
              ERROR_CODES.MESSAGE_EXPIRED,
              `A message for "${pending.topic}" waited offline longer than queue.ttlMs (${this.#ttlMs} ms) or its expirySeconds and was dropped.`,
              { topic: pending.topic },
            ),
          );
        }
        this.#armExpiry();
      },
      Math.max(0, next - this.#clock.now()),
    );
  }
}

function queueFull(topic: string, why: string): WebcommError {
  return new WebcommError(
    ERROR_CODES.QUEUE_FULL,
    `Message for "${topic}" was not queued: ${why}. Raise queue.maxCount/queue.maxBytes or publish while connected.`,
    { topic },
  );
}

function publishFailed(topic: string, why: string, cause?: unknown): WebcommError {
  return new WebcommError(ERROR_CODES.PROTOCOL, `Publishing to "${topic}" failed: ${why}`, { cause, topic });
}

/**
 * The error for a PUBACK failure code (MQTT 5): 0x87 not authorized is `PUBLISH_REFUSED`, 0x97
 * quota exceeded is `THROTTLED`, anything else a `PROTOCOL` error naming the code. Only that
 * message is rejected; the link stays up.
 */
function pubackRefusal(topic: string, reasonCode: number, reasonString: string | undefined): WebcommError {
  const code = `PUBACK 0x${reasonCode.toString(16).toUpperCase()}${reasonString === undefined ? '' : ` (${reasonString})`}`;
  if (reasonCode === 0x87) {
    return new WebcommError(
      ERROR_CODES.PUBLISH_REFUSED,
      `The broker refused this message to "${topic}" (${code}: not authorized): check iot:Publish in the policy and the topic. Only this message was dropped.`,
      { topic },
    );
  }
  if (reasonCode === 0x97) {
    return new WebcommError(
      ERROR_CODES.THROTTLED,
      `The broker refused this message to "${topic}" (${code}: quota exceeded): publish less often.`,
      { topic },
    );
  }
  return publishFailed(topic, code);
}

function publishRefused(topic: string, drops: number): WebcommError {
  return new WebcommError(
    ERROR_CODES.PUBLISH_REFUSED,
    `The broker closed the connection each time this message to "${topic}" was sent (${drops} link drops): it refuses it. ` +
      "Likely causes: the identity's policy does not allow publishing to this topic (iot:Publish), or the channel's topic has a typo. " +
      'Only this message was dropped; the others are sent.',
    { topic },
  );
}
