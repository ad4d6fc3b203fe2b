/**
 * The MQTT 5 PUBLISH properties the emulator forwards to subscribers, in mqtt-packet's (and
 * aedes's) shape. 3.1.1 subscribers receive the message without them, as on IoT Core.
 */
export interface MessageProperties {
  /** `payloadFormatIndicator`: true when the payload is UTF-8 text. */
  readonly payloadFormatIndicator?: boolean;
  /** Seconds the message may wait for a subscriber (a queued QoS 1 message is dropped after). */
  readonly messageExpiryInterval?: number;
  readonly contentType?: string;
  readonly responseTopic?: string;
  readonly correlationData?: Buffer;
  /** Repeated names carry an array of values, in order. */
  readonly userProperties?: Readonly<Record<string, string | string[]>>;
}
