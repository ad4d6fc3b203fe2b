/** IoT Core's protocol limits, as pure checks. */
import { IOT_CORE_LIMITS } from '@webcomm/core';
import type { ConnectRefusalReason, PacketRefusalReason } from '../refusal-events.js';

/** The limits the broker enforces. */
export interface IotLimits {
  /** Largest PUBLISH payload in bytes. @default 131072 (128 KB) */
  readonly maxPayloadBytes: number;
  /** Longest topic in UTF-8 bytes. @default 256 */
  readonly maxTopicBytes: number;
  /** Most `/` in a topic (not counting the prefix of `$aws/...` reserved topics). @default 7 */
  readonly maxTopicSlashes: number;
  /** Most filters in one SUBSCRIBE; more disconnects the client. @default 8 */
  readonly maxFiltersPerSubscribe: number;
  /** Keepalive below this is raised to it (seconds). @default 30 */
  readonly minKeepaliveSeconds: number;
  /** Keepalive of 0 or above this becomes this (seconds). @default 1200 */
  readonly maxKeepaliveSeconds: number;
  /** Longest client id in bytes. @default 128 */
  readonly maxClientIdBytes: number;
  /** Most subscriptions one connection may hold. @default 50 */
  readonly maxSubscriptionsPerConnection: number;
  /**
   * Largest MQTT packet accepted (its remaining length), bytes: the 128 KB payload plus 16 KB for
   * topic, properties and a CONNECT's fields. Checked from the fixed header as bytes arrive; a
   * packet over it closes the connection before it is buffered. @default 147456
   */
  readonly maxPacketBytes: number;
  /** MQTT 5: the highest topic alias a client may use (CONNACK Topic Alias Maximum). @default 8 */
  readonly maxTopicAliases: number;
  /**
   * Persistent sessions kept for clients that are away, at most (the emulator's own bound, so
   * memory stays bounded whatever clients do); beyond it a leaving session ends at once. @default 10000
   */
  readonly maxPendingSessions: number;
}

/** IoT Core's values (the payload limit is the one the client library checks against). */
export const IOT_LIMITS: IotLimits = {
  maxPayloadBytes: IOT_CORE_LIMITS.maxPayloadBytes,
  maxTopicBytes: 256,
  maxTopicSlashes: 7,
  maxFiltersPerSubscribe: 8,
  minKeepaliveSeconds: 30,
  maxKeepaliveSeconds: 1200,
  maxClientIdBytes: 128,
  maxSubscriptionsPerConnection: 50,
  maxPacketBytes: IOT_CORE_LIMITS.maxPayloadBytes + 16 * 1024,
  maxTopicAliases: 8,
  maxPendingSessions: 10_000,
};

/**
 * The MQTT 5 Maximum Packet Size that matches `maxPacketBytes`: MQTT counts the whole packet,
 * the fixed header byte and the remaining-length field too.
 */
export function maximumPacketSize(limits: Pick<IotLimits, 'maxPacketBytes'>): number {
  const lengthBytes =
    limits.maxPacketBytes < 128 ? 1 : limits.maxPacketBytes < 16_384 ? 2 : limits.maxPacketBytes < 2_097_152 ? 3 : 4;
  return 1 + lengthBytes + limits.maxPacketBytes;
}

/** The keepalive IoT Core applies: 0 or too high → max, too low → min. */
export function clampKeepalive(requested: number, limits: IotLimits): number {
  if (requested === 0 || requested > limits.maxKeepaliveSeconds) return limits.maxKeepaliveSeconds;
  return Math.max(requested, limits.minKeepaliveSeconds);
}

/** A broken limit: the stable reason and the words for the log or an HTTP answer. */
export interface LimitProblem<R extends string> {
  readonly reason: R;
  readonly message: string;
}

/** How a topic or filter breaks the limits, or undefined when it is fine. */
export function topicProblem(topic: string, limits: IotLimits): LimitProblem<PacketRefusalReason> | undefined {
  if (topic.length === 0) return { reason: 'topic-empty', message: 'empty topic' };
  if (Buffer.byteLength(topic) > limits.maxTopicBytes)
    return { reason: 'topic-too-long', message: `topic longer than ${limits.maxTopicBytes} bytes` };
  // Reserved topics do not count their `$aws/things/NAME/`-style prefix; IoT exempts up to 3 slashes.
  const slashes = topic.split('/').length - 1 - (topic.startsWith('$aws/') ? 3 : 0);
  if (slashes > limits.maxTopicSlashes)
    return { reason: 'topic-too-deep', message: `topic has more than ${limits.maxTopicSlashes} slashes` };
  return undefined;
}

/** Why a client id is refused, or undefined. */
export function clientIdProblem(clientId: string, limits: IotLimits): LimitProblem<ConnectRefusalReason> | undefined {
  if (clientId.length === 0) return { reason: 'client-id-empty', message: 'empty client id' };
  if (Buffer.byteLength(clientId) > limits.maxClientIdBytes)
    return { reason: 'client-id-too-long', message: `client id longer than ${limits.maxClientIdBytes} bytes` };
  if (clientId.startsWith('$')) return { reason: 'client-id-reserved', message: 'client id starts with $' };
  // MQTT 3.1.1 §1.5.3: a string must not hold U+0000.
  if (clientId.includes('\u0000')) return { reason: 'client-id-invalid', message: 'client id contains U+0000' };
  return undefined;
}
