/**
 * The broker sent bytes that break MQTT: a malformed packet, a packet type or code the protocol
 * version does not allow. Every engine reports it as an `error` and ends the link, since a
 * parser that has lost its place cannot be trusted with what follows (mqtt-packet, after such
 * an error, went on reading from a stale position and the link stayed up, deaf). The client
 * classifies it as `PROTOCOL` and reconnects.
 */
export class MqttProtocolError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MqttProtocolError';
  }
}
