import { ByteWriter } from './bytes-io.js';
import { decodePacket, openBody } from './decode-packet.js';
import { encodePacket, framePacket, messageId } from './encode-packet.js';
import type { Packet, Subscription } from './packets.js';
import { writeProperties } from './properties.js';

/**
 * The server direction of the codec: encoding what only a broker sends (CONNACK, SUBACK,
 * UNSUBACK, PINGRESP) and decoding what only a client sends (CONNECT, SUBSCRIBE, UNSUBSCRIBE,
 * PINGREQ). Test-only: no entry imports it, so the shipped client carries none of it; the codec
 * tests use it to check every packet type against mqtt-packet both ways.
 */
export function encodeAnyPacket(packet: Packet, version: 4 | 5): Uint8Array {
  const v5 = version === 5;
  const w = new ByteWriter();
  switch (packet.cmd) {
    case 'connack':
      w.u8(packet.sessionPresent ? 1 : 0).u8((v5 ? packet.reasonCode : packet.returnCode) ?? 0);
      if (v5) writeProperties(w, packet.properties);
      return framePacket('connack', 0, w.finish());
    case 'suback':
      w.u16(messageId(packet.messageId));
      if (v5) writeProperties(w, packet.properties);
      for (const code of packet.granted) w.u8(code);
      return framePacket('suback', 0, w.finish());
    case 'unsuback':
      w.u16(messageId(packet.messageId));
      if (v5) {
        writeProperties(w, packet.properties);
        for (const code of packet.granted ?? []) w.u8(code);
      }
      return framePacket('unsuback', 0, w.finish());
    case 'pingresp':
      return framePacket('pingresp', 0, w.finish());
    default:
      return encodePacket(packet, version);
  }
}

/** Decodes any control packet, from either side (see {@link encodeAnyPacket}). */
export function decodeAnyPacket(header: number, body: Uint8Array, version: 4 | 5): Packet {
  const type = header >> 4;
  if (type !== 1 && type !== 8 && type !== 10 && type !== 12) return decodePacket(header, body, version);
  const b = openBody(header, body, version);
  const { r } = b;
  switch (type) {
    case 1: {
      const protocolId = r.string();
      const protocolVersion = r.u8();
      if (protocolId !== 'MQTT' || (protocolVersion !== 4 && protocolVersion !== 5)) {
        throw new RangeError(`Unsupported MQTT protocol ${protocolId} ${protocolVersion}`);
      }
      b.v5 = protocolVersion === 5;
      const connectFlags = r.u8();
      const keepalive = r.u16();
      const properties = b.props();
      const clientId = r.string();
      return {
        cmd: 'connect',
        protocolId,
        protocolVersion,
        clean: (connectFlags & 0x02) !== 0,
        keepalive,
        ...properties,
        clientId,
        ...((connectFlags & 0x80) !== 0 ? { username: r.string() } : {}),
        ...((connectFlags & 0x40) !== 0 ? { password: r.binary() } : {}),
      };
    }
    case 8: {
      const messageId = b.id();
      const properties = b.props();
      const subscriptions: Subscription[] = [];
      while (r.remaining > 0) {
        const topic = r.string();
        const options = r.u8();
        const qos = (options & 0x03) as 0 | 1 | 2;
        subscriptions.push(
          b.v5
            ? { topic, qos, nl: (options & 0x04) !== 0, rap: (options & 0x08) !== 0, rh: (options >> 4) & 0x03 }
            : { topic, qos },
        );
      }
      return { cmd: 'subscribe', messageId, ...properties, subscriptions };
    }
    case 10: {
      const messageId = b.id();
      const properties = b.props();
      const unsubscriptions: string[] = [];
      while (r.remaining > 0) unsubscriptions.push(r.string());
      return { cmd: 'unsubscribe', messageId, ...properties, unsubscriptions };
    }
    default:
      return { cmd: 'pingreq' };
  }
}
