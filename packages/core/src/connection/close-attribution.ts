import { ERROR_CODES, type WebcommError } from '../errors.js';
import type { SubscriptionSync } from '../inbound/subscription-sync.js';
import type { BrokerOutbox, DetachCause } from '../outbound/broker-outbox.js';

/** Whom a link's close may be blamed on, and what was waiting on it. */
export interface CloseAttribution extends DetachCause {
  /** Unanswered QoS 1 publishes written within the window. */
  readonly publishesInFlight: number;
}

/**
 * A close while SUBSCRIBEs or QoS 1 publishes wait for their answer may be the broker refusing
 * one of them (IoT Core on MQTT 3.1.1 refuses by closing the link): `attributed` to them then,
 * and not taken for a takeover. Never when the server said why (`explained`: an MQTT 5
 * DISCONNECT), when the error is fatal, or when the link was declared dead.
 */
export function attributeClose(
  error: WebcommError,
  explained: boolean,
  sync: SubscriptionSync,
  outbox: BrokerOutbox,
  now: number,
): CloseAttribution {
  const subscribesInFlight = sync.inFlight(now);
  const publishesInFlight = outbox.awaitingAck();
  const attributed =
    !explained && !error.fatal && error.code !== ERROR_CODES.DEAD_LINK && subscribesInFlight + publishesInFlight > 0;
  return { attributed, subscribesInFlight, publishesInFlight };
}
