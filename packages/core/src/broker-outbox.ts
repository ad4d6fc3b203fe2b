import type { MqttClient } from 'mqtt';
import { toMqttBytes } from './bytes.js';
import type { Clock, TimerHandle } from './clock.js';
import { ERROR_CODES, WebcommError } from './errors.js';
import type { Logger } from './logger.js';
import { OfflineQueue, type OfflineQueueOptions } from './offline-queue.js';

/** One broker publish waiting for its outcome. */
interface Pending {
  readonly topic: string;
  readonly payload: Uint8Array;
  readonly qos: 0 | 1;
  readonly retain: boolean;
  readonly resolve: () => void;
  readonly reject: (error: WebcommError) => void;
  /** The link it was written to; callbacks from any other link are stale and ignored. */
  sentOn: MqttClient | undefined;
  settled: boolean;
}

/**
 * Broker publishes: sent at once while a link is up, otherwise held in a bounded
 * {@link OfflineQueue} and flushed on the next link. Every promise settles: PUBACK (QoS 1) or
 * write (QoS 0) resolves; overflow, expiry, cancel and close reject. Messages in flight when
 * a link drops go back to the head of the queue and are sent again (at least once).
 */
export class BrokerOutbox {
  readonly #queue: OfflineQueue<Pending>;
  readonly #ttlMs: number;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #inFlight = new Set<Pending>();
  #link: MqttClient | undefined;
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
  submit(topic: string, payload: Uint8Array, qos: 0 | 1, retain: boolean, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const pending: Pending = { topic, payload, qos, retain, resolve, reject, sentOn: undefined, settled: false };
      signal?.addEventListener('abort', () => this.#cancel(pending), { once: true });
      if (this.#link !== undefined) {
        this.#send(pending, this.#link);
        return;
      }
      const { accepted, evicted } = this.#queue.push(pending, payload.byteLength + topic.length, this.#clock.now());
      for (const old of evicted) {
        this.#settle(old, queueFull(old.topic, 'it was the oldest message in a full offline queue (policy drop-oldest)'));
      }
      if (!accepted) {
        this.#settle(pending, queueFull(topic, 'the offline queue is full or the message exceeds queue.maxBytes'));
      }
      this.#armExpiry();
    });
  }

  /** A link is up: flush the queue onto it. */
  attach(link: MqttClient): void {
    this.#link = link;
    for (const item of this.#queue.drain()) this.#send(item.value, link);
    this.#armExpiry();
  }

  /** The link is gone: put unacknowledged messages back at the head of the queue. */
  detach(): void {
    this.#link = undefined;
    const expiresAt = this.#clock.now() + this.#ttlMs;
    const back = [...this.#inFlight].map((value) => {
      value.sentOn = undefined;
      return { value, bytes: value.payload.byteLength + value.topic.length, expiresAt };
    });
    this.#inFlight.clear();
    if (back.length > 0) this.#logger.debug('requeue in-flight publishes', { count: back.length });
    this.#queue.unshift(back);
    this.#armExpiry();
  }

  /** Rejects everything queued or in flight with `error` and clears the timer. */
  closeAll(error: WebcommError): void {
    this.#link = undefined;
    for (const item of this.#queue.drain()) this.#settle(item.value, error);
    for (const pending of this.#inFlight) this.#settle(pending, error);
    this.#inFlight.clear();
    this.#armExpiry();
  }

  #send(pending: Pending, link: MqttClient): void {
    pending.sentOn = link;
    this.#inFlight.add(pending);
    link.publish(pending.topic, toMqttBytes(pending.payload), { qos: pending.qos, retain: pending.retain }, (error) => {
      if (pending.sentOn !== link) return; // requeued after the link dropped; the new link decides
      this.#inFlight.delete(pending);
      if (error === undefined || error === null) this.#settle(pending);
      else {
        this.#settle(
          pending,
          new WebcommError(ERROR_CODES.PROTOCOL, `Publishing to "${pending.topic}" failed: ${error.message}`, {
            cause: error,
            topic: pending.topic,
          }),
        );
      }
    });
  }

  #cancel(pending: Pending): void {
    // The deadline wrapper already rejected the caller's promise; just stop sending it.
    this.#queue.remove(pending);
    this.#inFlight.delete(pending);
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
              `A message for "${pending.topic}" waited offline longer than queue.ttlMs (${this.#ttlMs} ms) and was dropped.`,
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
