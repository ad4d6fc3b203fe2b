/**
 * MQTT 5 [MQTT-3.1.2-24]: the server must not send a packet larger than the Maximum Packet Size
 * the client gave in CONNECT; it discards the message as if delivered. This measures a PUBLISH as
 * it would go out, only for clients that set a maximum (most do not: no cost for them).
 */
import mqttPacket from 'mqtt-packet';

/** The fields of an outgoing PUBLISH that decide its size. */
export interface OutgoingPublish {
  readonly topic: string;
  readonly payload: Buffer | string;
  readonly qos: number;
  readonly properties?: object;
}

/** Whether `packet` fits in `maximum` bytes (always, when the client set no maximum). */
export function publishFits(packet: OutgoingPublish, maximum: number | undefined): boolean {
  if (maximum === undefined) return true;
  const payloadBytes = typeof packet.payload === 'string' ? Buffer.byteLength(packet.payload) : packet.payload.length;
  // Cheap bound first: the payload alone is over the limit.
  if (payloadBytes >= maximum) return false;
  const bytes = mqttPacket.generate(
    {
      cmd: 'publish',
      topic: packet.topic,
      payload: packet.payload,
      qos: packet.qos === 1 ? 1 : 0,
      dup: false,
      retain: false,
      ...(packet.qos === 1 ? { messageId: 1 } : {}),
      ...(packet.properties === undefined ? {} : { properties: packet.properties }),
    } as mqttPacket.IPublishPacket,
    { protocolVersion: 5 },
  );
  return bytes.length <= maximum;
}
