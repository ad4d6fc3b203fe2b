import { ByteWriter } from './bytes-io.js';
import { PACKET_TYPES, type Packet } from './packets.js';
import { writeProperties } from './properties.js';

/**
 * Encodes one control packet a client sends, for a link speaking `version` (CONNECT carries its
 * own). MQTT 5 property blocks are written only on version 5; on 3.1.1 they are left out, as the
 * protocol has none. Packets only a broker sends (CONNACK, SUBACK, UNSUBACK, PINGRESP) throw:
 * their encoder is test-only (`server-direction.ts`), kept out of the shipped client.
 */
export function encodePacket(packet: Packet, version: 4 | 5): Uint8Array {
  const v5 = (packet.cmd === 'connect' ? packet.protocolVersion : version) === 5;
  const w = new ByteWriter();
  let flags = 0;
  switch (packet.cmd) {
    case 'connect': {
      const userFlag = packet.username === undefined ? 0 : 0x80;
      const passwordFlag = packet.password === undefined ? 0 : 0x40;
      w.string(packet.protocolId)
        .u8(packet.protocolVersion)
        .u8(userFlag | passwordFlag | (packet.clean ? 0x02 : 0))
        .u16(packet.keepalive);
      if (v5) writeProperties(w, packet.properties);
      w.string(packet.clientId);
      if (packet.username !== undefined) w.string(packet.username);
      if (packet.password !== undefined) w.binary(packet.password);
      break;
    }
    case 'publish':
      flags = (packet.dup ? 0x08 : 0) | (packet.qos << 1) | (packet.retain ? 0x01 : 0);
      w.string(packet.topic);
      if (packet.qos > 0) w.u16(messageId(packet.messageId));
      if (v5) writeProperties(w, packet.properties);
      w.raw(packet.payload);
      break;
    case 'puback':
      w.u16(messageId(packet.messageId));
      // The reason code and properties may be left out when the code is 0 and there are none.
      if (v5 && ((packet.reasonCode ?? 0) !== 0 || packet.properties !== undefined)) {
        w.u8(packet.reasonCode ?? 0);
        if (packet.properties !== undefined) writeProperties(w, packet.properties);
      }
      break;
    case 'subscribe':
      flags = 0x02;
      w.u16(messageId(packet.messageId));
      if (v5) writeProperties(w, packet.properties);
      for (const s of packet.subscriptions) {
        const options = v5 ? (s.nl === true ? 0x04 : 0) | (s.rap === true ? 0x08 : 0) | ((s.rh ?? 0) << 4) : 0;
        w.string(s.topic).u8(s.qos | options);
      }
      break;
    case 'unsubscribe':
      flags = 0x02;
      w.u16(messageId(packet.messageId));
      if (v5) writeProperties(w, packet.properties);
      for (const filter of packet.unsubscriptions) w.string(filter);
      break;
    case 'disconnect':
      if (v5) {
        w.u8(packet.reasonCode ?? 0);
        writeProperties(w, packet.properties);
      }
      break;
    case 'pingreq':
      break;
    default:
      throw new RangeError(`A client does not send ${packet.cmd.toUpperCase()}`);
  }
  return framePacket(packet.cmd, flags, w.finish());
}

/** A whole packet: the fixed header (type, `flags`, remaining length), then `body`. */
export function framePacket(cmd: Packet['cmd'], flags: number, body: Uint8Array): Uint8Array {
  return new ByteWriter()
    .u8((PACKET_TYPES[cmd] << 4) | flags)
    .varint(body.byteLength)
    .raw(body)
    .finish();
}

/** A packet identifier, checked to be 1–65535. */
export function messageId(id: number | undefined): number {
  if (id === undefined || !Number.isInteger(id) || id < 1 || id > 0xffff)
    throw new RangeError(`MQTT packet identifier must be 1–65535, got ${id}`);
  return id;
}
