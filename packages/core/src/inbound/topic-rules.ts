import { ERROR_CODES, WebcommError } from '../errors.js';

/** Broker limits checked before anything is sent. */
export interface TopicLimits {
  /**
   * Maximum topic length in UTF-8 bytes.
   * @default 256
   */
  readonly maxTopicBytes: number;
  /**
   * Maximum number of topic levels (IoT Core: at most 7 slashes, so 8 levels).
   * @default 8
   */
  readonly maxTopicLevels: number;
  /**
   * Maximum payload size in bytes.
   * @default 131072
   */
  readonly maxPayloadBytes: number;
  /**
   * Maximum filters in one SUBSCRIBE packet; larger requests are split transparently.
   * @default 8
   */
  readonly maxFiltersPerSubscribe: number;
}

/** AWS IoT Core's limits, the defaults. */
export const IOT_CORE_LIMITS: TopicLimits = {
  maxTopicBytes: 256,
  maxTopicLevels: 8,
  maxPayloadBytes: 128 * 1024,
  maxFiltersPerSubscribe: 8,
};

const encoder = new TextEncoder();
// With the `u` flag a valid surrogate pair is one code point, so this finds only lone halves.
const LONE_SURROGATE = /\p{Surrogate}/u;

function invalid(topic: string, rule: string, fix: string): WebcommError {
  return new WebcommError(ERROR_CODES.INVALID_TOPIC, `Topic "${topic}" breaks rule "${rule}": ${fix}`, { topic });
}

function checkCommon(topic: string, limits: TopicLimits, what: string): void {
  if (typeof topic !== 'string' || topic.length === 0) {
    throw invalid(String(topic), 'non-empty', `a ${what} must be a non-empty string.`);
  }
  if (LONE_SURROGATE.test(topic)) {
    throw invalid(topic, 'utf-8', `a ${what} must be valid UTF-8 (it contains a lone surrogate).`);
  }
  if (topic.includes('\u0000')) throw invalid(topic, 'no-null', `a ${what} must not contain U+0000.`);
  const bytes = encoder.encode(topic).byteLength;
  if (bytes > limits.maxTopicBytes) {
    throw invalid(
      topic,
      'max-bytes',
      `it is ${bytes} bytes; the limit is ${limits.maxTopicBytes} (option limits.maxTopicBytes).`,
    );
  }
  const levels = topic.split('/').length;
  if (levels > limits.maxTopicLevels) {
    throw invalid(
      topic,
      'max-levels',
      `it has ${levels} levels; the limit is ${limits.maxTopicLevels} (option limits.maxTopicLevels).`,
    );
  }
}

/** Throws `INVALID_TOPIC` unless `topic` is a valid topic to publish to (no wildcards). */
export function assertPublishTopic(topic: string, limits: TopicLimits): void {
  checkCommon(topic, limits, 'publish topic');
  if (topic.includes('+') || topic.includes('#')) {
    throw invalid(topic, 'no-wildcard', 'a publish topic must not contain "+" or "#"; publish to one concrete topic.');
  }
}

/** Throws `INVALID_TOPIC` unless `filter` is a valid subscription filter. */
export function assertFilter(filter: string, limits: TopicLimits): void {
  checkCommon(filter, limits, 'topic filter');
  const levels = filter.split('/');
  levels.forEach((level, i) => {
    if (level.includes('#') && (level !== '#' || i !== levels.length - 1)) {
      throw invalid(filter, 'hash-last', '"#" must be a whole level and the last one, e.g. "game/#".');
    }
    if (level.includes('+') && level !== '+') {
      throw invalid(filter, 'plus-whole-level', '"+" must be a whole level, e.g. "game/+/score".');
    }
  });
}

/** Throws `INVALID_PAYLOAD` when `payload` exceeds `limits.maxPayloadBytes`. */
export function assertPayloadSize(topic: string, payload: Uint8Array, limits: TopicLimits): void {
  if (payload.byteLength > limits.maxPayloadBytes) {
    throw new WebcommError(
      ERROR_CODES.INVALID_PAYLOAD,
      `Payload for "${topic}" is ${payload.byteLength} bytes; the limit is ${limits.maxPayloadBytes} ` +
        '(option limits.maxPayloadBytes). Send less data or a reference to it.',
      { topic },
    );
  }
}

/** True when `filter` contains a wildcard. */
export function isWildcardFilter(filter: string): boolean {
  return filter.includes('+') || filter.includes('#');
}
