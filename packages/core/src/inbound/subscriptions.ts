import { toDecoder, type Decoder } from './decoders.js';
import { describeThrown } from '../util/describe-thrown.js';
import { ERROR_CODES, WebcommError } from '../errors.js';
import type { ReceivedMessage } from '../events.js';
import { TopicTrie } from './topic-trie.js';

/** What a handler learns about a message besides its decoded value. */
export interface MessageMeta extends ReceivedMessage {
  /** The filter this handler subscribed with. */
  readonly filter: string;
  /** The channel name, when the handler subscribed by channel name. */
  readonly channel: string | undefined;
}

/** A message handler; may be async (a rejection becomes an `error` event). */
export type MessageHandler<T = unknown> = (message: T, meta: MessageMeta) => void | Promise<void>;

/** One handler registered under one filter. */
export interface HandlerRecord {
  readonly filter: string;
  readonly channel: string | undefined;
  readonly qos: 0 | 1;
  readonly decoder: Decoder<unknown>;
  readonly handler: MessageHandler<never>;
}

/** A filter as sent to the broker. */
export interface FilterRequest {
  readonly filter: string;
  readonly qos: 0 | 1;
}

/**
 * Every handler by filter, and a {@link TopicTrie} over them for dispatch. Knows nothing of
 * the network: the client sends SUBSCRIBE/UNSUBSCRIBE for what this registry reports.
 */
export class SubscriptionRegistry {
  /** Handlers by filter; a list (a filter mostly has one handler, and an empty Set costs 150 bytes). */
  readonly #byFilter = new Map<string, HandlerRecord[]>();
  readonly #trie: TopicTrie<HandlerRecord>;

  constructor(hashMatchesParent: boolean) {
    this.#trie = new TopicTrie({ hashMatchesParent });
  }

  /** Creates a record (decoder resolved once, here). */
  static record<T>(
    filter: string,
    channel: string | undefined,
    qos: 0 | 1,
    decode: Parameters<typeof toDecoder<T>>[0],
    handler: MessageHandler<T>,
  ): HandlerRecord {
    return {
      filter,
      channel,
      qos,
      decoder: toDecoder(decode) as Decoder<unknown>,
      handler: handler as MessageHandler<never>,
    };
  }

  /** Adds a handler. Returns the filter request to send when the broker needs to hear of it. */
  add(record: HandlerRecord): FilterRequest | undefined {
    const before = this.qosOf(record.filter);
    const list = this.#byFilter.get(record.filter);
    // A one-element literal: `[]` then push() reserves 17 slots (152 bytes).
    if (list === undefined) this.#byFilter.set(record.filter, [record]);
    else if (!list.includes(record)) list.push(record);
    this.#trie.add(record.filter, record);
    const after = this.qosOf(record.filter) ?? record.qos;
    return before === undefined || after > before ? { filter: record.filter, qos: after } : undefined;
  }

  /** Removes a handler. Returns true when it was the filter's last one (send UNSUBSCRIBE). */
  remove(record: HandlerRecord): boolean {
    const list = this.#byFilter.get(record.filter);
    const index = list?.indexOf(record) ?? -1;
    if (list === undefined || index === -1) return false;
    list.splice(index, 1);
    this.#trie.remove(record.filter, record);
    if (list.length > 0) return false;
    this.#byFilter.delete(record.filter);
    return true;
  }

  /** Removes every handler of `filter` (the broker refused it). */
  removeFilter(filter: string): void {
    for (const record of this.#byFilter.get(filter) ?? []) this.#trie.remove(filter, record);
    this.#byFilter.delete(filter);
  }

  /** True while the record is registered. */
  has(record: HandlerRecord): boolean {
    return this.#byFilter.get(record.filter)?.includes(record) ?? false;
  }

  /** The highest QoS requested for `filter`, or undefined when nobody subscribes to it. */
  qosOf(filter: string): 0 | 1 | undefined {
    const list = this.#byFilter.get(filter);
    if (list === undefined || list.length === 0) return undefined;
    let qos: 0 | 1 = 0;
    for (const r of list) if (r.qos > qos) qos = r.qos;
    return qos;
  }

  /** Every filter with its QoS (what to re-send after a reconnect). */
  filters(): FilterRequest[] {
    return [...this.#byFilter.keys()].map((filter) => ({ filter, qos: this.qosOf(filter) ?? 0 }));
  }

  /** Number of registered handlers. */
  get handlerCount(): number {
    return this.#trie.size;
  }

  /**
   * Decodes and delivers a message to every matching handler. A decode failure or a throwing
   * (or rejecting) handler is reported through `onError` with the topic; the others still run.
   * Runs for every received message, so it allocates only what it hands out (the meta): the
   * matching records are the trie's cached array (not copied), and a decoded value is not wrapped.
   */
  dispatch(message: ReceivedMessage, onError: (error: WebcommError) => void): number {
    const records = this.#trie.matchShared(message.topic);
    // One handler (the common case): no decoder bookkeeping.
    if (records.length === 1) {
      const record = records[0] as HandlerRecord;
      const result = decode(record.decoder, message, onError);
      if (result !== FAILED) deliver(record, result, message, onError);
      return 1;
    }
    // Each decoder runs once per message, also when several handlers share it.
    let lastDecoder: Decoder<unknown> | undefined;
    let lastResult: Decoded = FAILED;
    const cache = records.length > 1 ? new Map<Decoder<unknown>, Decoded>() : undefined;
    for (const record of records) {
      let result: Decoded;
      if (record.decoder === lastDecoder) {
        result = lastResult;
      } else {
        // `has`, not `??`: a decoded value may be null or undefined.
        if (cache?.has(record.decoder) === true) result = cache.get(record.decoder);
        else {
          result = decode(record.decoder, message, onError);
          cache?.set(record.decoder, result);
        }
        lastDecoder = record.decoder;
        lastResult = result;
      }
      if (result !== FAILED) deliver(record, result, message, onError);
    }
    return records.length;
  }
}

/** A decoded payload, or FAILED (already reported); no decoder can return this module's symbol. */
type Decoded = unknown;
const FAILED: unique symbol = Symbol('decode failed');

function decode(decoder: Decoder<unknown>, message: ReceivedMessage, onError: (error: WebcommError) => void): Decoded {
  try {
    return decoder(message.payload, message.topic);
  } catch (cause) {
    onError(
      new WebcommError(
        ERROR_CODES.DECODE_FAILED,
        `Could not decode a ${message.payload.byteLength}-byte message on "${message.topic}": ` +
          `${describeThrown(cause)}. Subscribe with { decode: 'raw' } to receive bytes.`,
        { cause, topic: message.topic },
      ),
    );
    return FAILED;
  }
}

function deliver(
  record: HandlerRecord,
  value: unknown,
  message: ReceivedMessage,
  onError: (error: WebcommError) => void,
): void {
  // Spelled out rather than spread: one object shape for every message.
  const meta: MessageMeta = {
    topic: message.topic,
    payload: message.payload,
    qos: message.qos,
    retain: message.retain,
    filter: record.filter,
    channel: record.channel,
    // MQTT 5 (user properties, expiry left); undefined on 3.1.1, keeping the one shape.
    properties: message.properties,
  };
  try {
    const returned = (record.handler as MessageHandler<unknown>)(value, meta);
    // Any thenable: a rejection with any value (null included) becomes an error event.
    if (returned !== undefined && returned !== null && typeof (returned as Promise<void>).then === 'function') {
      (returned as Promise<void>).then(undefined, (cause: unknown) => onError(handlerFailed(record, message, cause)));
    }
  } catch (cause) {
    onError(handlerFailed(record, message, cause));
  }
}

function handlerFailed(record: HandlerRecord, message: ReceivedMessage, cause: unknown): WebcommError {
  return new WebcommError(
    ERROR_CODES.HANDLER_FAILED,
    `A handler for "${record.filter}" failed on "${message.topic}": ${describeThrown(cause)}`,
    { cause, topic: message.topic },
  );
}
