import type { OperationOptions } from './util/deadline.js';
import type { DecodeOption } from './inbound/decoders.js';
import type { UserProperties } from './mqtt/mqtt-engine.js';

/** Options of {@link WebcommClient.subscribe}. */
export interface SubscribeOptions<T> extends OperationOptions {
  /** Payload decoding: `'json'` (default, or the channel's), `'raw'` bytes, or a function. */
  readonly decode?: DecodeOption<T>;
  /** Subscription QoS. @default 0 */
  readonly qos?: 0 | 1;
}

/** Options of {@link WebcommClient.publish}. */
export interface PublishOptions extends OperationOptions {
  /** QoS 0 resolves once written, QoS 1 on PUBACK. @default 0 */
  readonly qos?: 0 | 1;
  /** Retained flag (broker publishes). @default false */
  readonly retain?: boolean;
  /**
   * MQTT 5 broker publishes only: the broker drops the message once it is this many seconds
   * old (message expiry interval, 1–604800 on IoT Core): a retained content update or a QoS 1
   * message kept for an offline client is not delivered stale. @default undefined (never expires)
   */
  readonly expirySeconds?: number;
  /** MQTT 5 broker publishes only: user properties, passed on to subscribers' handlers (`meta.properties`). @default undefined */
  readonly userProperties?: UserProperties;
}

/** Removes one handler; sends UNSUBSCRIBE when it was the filter's last. */
export type Unsubscribe = () => Promise<void>;
