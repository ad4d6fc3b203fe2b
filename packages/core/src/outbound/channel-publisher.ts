import type { PublishProperties } from '../mqtt/mqtt-engine.js';

/** One message on its way out, as core hands it to a {@link ChannelPublisher}. */
export interface OutgoingMessage {
  /** Channel name the user published to. */
  readonly channel: string;
  /** The channel's concrete topic. */
  readonly topic: string;
  /** The value as the user passed it (for publishers that send JSON themselves). */
  readonly message: unknown;
  /** The encoded bytes (validated against the payload limit). */
  readonly payload: Uint8Array;
  /** Requested QoS. */
  readonly qos: 0 | 1;
  /** Requested retain flag. */
  readonly retain: boolean;
  /** MQTT 5 properties from `expirySeconds` and `userProperties` (broker publishes only). */
  readonly properties?: PublishProperties;
}

/**
 * A publish path for a channel. Core ships the broker path (`publish: 'broker'`); an adapter
 * can route a channel through the service's validating HTTP publish API instead by passing
 * an object implementing this interface as the channel's `publish` option.
 *
 * Core validates the channel, topic and payload size first, and applies the publish timeout
 * and the caller's AbortSignal through `signal`. Reject with a `WebcommError` on failure.
 */
export interface ChannelPublisher {
  /** Short name for logs, e.g. `"service-http"`. */
  readonly name: string;
  /** Delivers one message; resolves when the other side accepted it. */
  publish(message: OutgoingMessage, options: { readonly signal: AbortSignal }): Promise<void>;
}
