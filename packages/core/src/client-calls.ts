import type { OperationOptions } from './util/deadline.js';
import type { DecodeOption } from './inbound/decoders.js';

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
}

/** Removes one handler; sends UNSUBSCRIBE when it was the filter's last. */
export type Unsubscribe = () => Promise<void>;
