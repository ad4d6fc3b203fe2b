import { ByteReader } from './bytes-io.js';
import type { Packet, Subscription } from './packets.js';
import { readProperties } from './properties.js';

/**
 * Decodes one control packet: `header` is the fixed header's first byte, `body` the bytes the
 * remaining length covers. `version` is the link's protocol version (CONNECT says its own).
 * Throws a `RangeError` naming the fault on a malformed packet.
 */
export function decodePacket(header: number, body: Uint8Array, version: 4 | 5): Packet {
  const r = new ByteReader(body);
  const flags = header & 0x0f;
  const required = REQUIRED_FLAGS[header >> 4];
  // Reserved flag bits must have their fixed values [MQTT-2.2.2-2], as mqtt-packet checks.
  if (required !== undefined && flags !== required)
    throw new RangeError(`Invalid header flags 0x${flags.toString(16)} for packet type ${header >> 4}`);
  let v5 = version === 5;
  const props = (): { properties?: NonNullable<ReturnType<typeof readProperties>> } => {
    const properties = v5 ? readProperties(r) : undefined;
    return properties === undefined ? {} : { properties };
  };
  const id = (): number => {
    const messageId = r.u16();
    if (messageId === 0) throw new RangeError('Packet identifier 0 (MQTT requires 1-65535)');
    return messageId;
  };
  switch (header >> 4) {
    case 1: {
      const protocolId = r.string();
      const protocolVersion = r.u8();
      if (protocolId !== 'MQTT' || (protocolVersion !== 4 && protocolVersion !== 5)) {
        throw new RangeError(`Unsupported MQTT protocol ${protocolId} ${protocolVersion}`);
      }
      v5 = protocolVersion === 5;
      const connectFlags = r.u8();
      const keepalive = r.u16();
      const properties = props();
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
    case 2: {
      const sessionPresent = (r.u8() & 0x01) !== 0;
      const code = r.u8();
      if (!v5) return { cmd: 'connack', sessionPresent, returnCode: code };
      return { cmd: 'connack', sessionPresent, reasonCode: code, ...(r.remaining > 0 ? props() : {}) };
    }
    case 3: {
      const qos = (flags >> 1) & 0x03;
      if (qos === 3) throw new RangeError('Malformed PUBLISH: QoS 3');
      const topic = r.string();
      const messageId = qos > 0 ? { messageId: id() } : {};
      const properties = props();
      return {
        cmd: 'publish',
        topic,
        qos: qos as 0 | 1 | 2,
        dup: (flags & 0x08) !== 0,
        retain: (flags & 0x01) !== 0,
        ...messageId,
        ...properties,
        payload: r.rest(),
      };
    }
    case 4: {
      const messageId = id();
      if (!v5) return { cmd: 'puback', messageId };
      const reasonCode = r.remaining > 0 ? r.u8() : 0;
      return { cmd: 'puback', messageId, reasonCode, ...(r.remaining > 0 ? props() : {}) };
    }
    case 8: {
      const messageId = id();
      const properties = props();
      const subscriptions: Subscription[] = [];
      while (r.remaining > 0) {
        const topic = r.string();
        const options = r.u8();
        const qos = (options & 0x03) as 0 | 1 | 2;
        subscriptions.push(
          v5
            ? { topic, qos, nl: (options & 0x04) !== 0, rap: (options & 0x08) !== 0, rh: (options >> 4) & 0x03 }
            : { topic, qos },
        );
      }
      return { cmd: 'subscribe', messageId, ...properties, subscriptions };
    }
    case 9: {
      const messageId = id();
      const properties = props();
      const granted: number[] = [];
      while (r.remaining > 0) granted.push(r.u8());
      return { cmd: 'suback', messageId, ...properties, granted };
    }
    case 10: {
      const messageId = id();
      const properties = props();
      const unsubscriptions: string[] = [];
      while (r.remaining > 0) unsubscriptions.push(r.string());
      return { cmd: 'unsubscribe', messageId, ...properties, unsubscriptions };
    }
    case 11: {
      const messageId = id();
      if (!v5) return { cmd: 'unsuback', messageId };
      const properties = props();
      const granted: number[] = [];
      while (r.remaining > 0) granted.push(r.u8());
      return { cmd: 'unsuback', messageId, ...properties, granted };
    }
    case 12:
      return { cmd: 'pingreq' };
    case 13:
      return { cmd: 'pingresp' };
    case 14: {
      if (!v5) return { cmd: 'disconnect' };
      const reasonCode = r.remaining > 0 ? r.u8() : 0;
      return { cmd: 'disconnect', reasonCode, ...(r.remaining > 0 ? props() : {}) };
    }
    default:
      throw new RangeError(`Unsupported MQTT packet type ${header >> 4}`);
  }
}

/** The fixed flags of every packet type but PUBLISH (MQTT 3.1.1 and 5, table 2.2), by type. */
const REQUIRED_FLAGS: Readonly<Record<number, number>> = {
  1: 0, // CONNECT
  2: 0, // CONNACK
  4: 0, // PUBACK
  5: 0, // PUBREC
  6: 2, // PUBREL
  7: 0, // PUBCOMP
  8: 2, // SUBSCRIBE
  9: 0, // SUBACK
  10: 2, // UNSUBSCRIBE
  11: 0, // UNSUBACK
  12: 0, // PINGREQ
  13: 0, // PINGRESP
  14: 0, // DISCONNECT
  15: 0, // AUTH
};
