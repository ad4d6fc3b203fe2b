/**
 * What IoT Core's MQTT 5 CONNACK says about the server, for one accepted connection (AWS IoT
 * Developer Guide, "MQTT 5 supported features"). aedes adds the adjusted Session Expiry Interval
 * itself (it clamps to the emulator's limit) and its Topic Alias Maximum; these are the rest.
 */
import { maximumPacketSize, type IotLimits } from './iot-limits.js';

/** MQTT 5 reason 0xA1: what the server answers a SUBSCRIBE that carries a subscription identifier. */
export const MQTT5_SUBSCRIPTION_IDENTIFIERS_NOT_SUPPORTED = 0xa1;

/** CONNACK properties in mqtt-packet's names. */
export interface IotConnackProperties {
  /** Sent when the keepalive was changed (30-1200 s; 0 becomes 1200). */
  readonly serverKeepAlive?: number;
  readonly maximumQoS: 1;
  readonly subscriptionIdentifiersAvailable: false;
  readonly sharedSubscriptionAvailable: boolean;
  readonly topicAliasMaximum: number;
  /** The largest packet the server accepts, whole (fixed header included). */
  readonly maximumPacketSize: number;
}

/** The properties for a client that asked for `requestedKeepalive` and got `keepalive`. */
export function iotConnackProperties(input: {
  readonly requestedKeepalive: number;
  readonly keepalive: number;
  readonly limits: IotLimits;
  readonly sharedSubscriptions?: boolean;
}): IotConnackProperties {
  return {
    ...(input.keepalive === input.requestedKeepalive ? {} : { serverKeepAlive: input.keepalive }),
    maximumQoS: 1,
    subscriptionIdentifiersAvailable: false,
    sharedSubscriptionAvailable: input.sharedSubscriptions ?? false,
    topicAliasMaximum: input.limits.maxTopicAliases,
    maximumPacketSize: maximumPacketSize(input.limits),
  };
}
