import { ByteReader } from './bytes-io.js';
import type { Packet, Properties } from './packets.js';
import { readProperties } from './properties.js';

/** A packet body being read: its reader, and the packet id and property readers for its version. */
export interface BodyReader {
  readonly r: ByteReader;
  /** MQTT 5 on this packet (CONNECT sets its own). */
  v5: boolean;
  /** A packet identifier; 0 is refused [MQTT-2.3.1-1]. */
  id(): number;
  /** A property block on MQTT 5 (nothing on 3.1.1), as a spreadable `{ properties }`. */
  props(): { properties?: Properties };
}

/**
 * Opens one packet's body for reading, after checking the fixed header's reserved flag bits
 * [MQTT-2.2.2-2], as mqtt-packet does. Shared by the client's decoder and the test-only
 * server-direction one (`server-direction.ts`).
 */
export function openBody(header: number, body: Uint8Array, version: 4 | 5): BodyReader {
  const flags = header & 0x0f;
  const required = REQUIRED_FLAGS[header >> 4];
  if (required !== undefined && flags !== required)
    throw new RangeError(`Invalid header flags 0x${flags.toString(16)} for packet type ${header >> 4}`);
  const r = new ByteReader(body);
  const reader: BodyReader = {
    r,
    v5: version === 5,
    id() {
      const messageId = r.u16();
      if (messageId === 0) throw new RangeError('Packet identifier 0 (MQTT requires 1-65535)');
      return messageId;
    },
    props() {
      const properties = reader.v5 ? readProperties(r) : undefined;
      return properties === undefined ? {} : { properties };
    },
  };
  return reader;
}

/**
 * Decodes one control packet a broker sends to a client: `header` is the fixed header's first
 * byte, `body` the bytes the remaining length covers, `version` the link's protocol version.
 * Throws a `RangeError` naming the fault on a malformed packet, or on a packet only a client
 * sends (CONNECT, SUBSCRIBE, UNSUBSCRIBE, PINGREQ): their decoder is test-only
 * (`server-direction.ts`), kept out of the shipped client.
 */
export function decodePacket(header: number, body: Uint8Array, version: 4 | 5): Packet {
  const b = openBody(header, body, version);
  const { r, id, props } = b;
  const v5 = b.v5;
  switch (header >> 4) {
    case 2: {
      const sessionPresent = (r.u8() & 0x01) !== 0;
      const code = r.u8();
      if (!v5) return { cmd: 'connack', sessionPresent, returnCode: code };
      return { cmd: 'connack', sessionPresent, reasonCode: code, ...(r.remaining > 0 ? props() : {}) };
    }
    case 3: {
      const flags = header & 0x0f;
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
    case 9: {
      const messageId = id();
      const properties = props();
      const granted: number[] = [];
      while (r.remaining > 0) granted.push(r.u8());
      return { cmd: 'suback', messageId, ...properties, granted };
    }
    case 11: {
      const messageId = id();
      if (!v5) return { cmd: 'unsuback', messageId };
      const properties = props();
      const granted: number[] = [];
      while (r.remaining > 0) granted.push(r.u8());
      return { cmd: 'unsuback', messageId, ...properties, granted };
    }
    case 13:
      return { cmd: 'pingresp' };
    case 14: {
      if (!v5) return { cmd: 'disconnect' };
      const reasonCode = r.remaining > 0 ? r.u8() : 0;
      return { cmd: 'disconnect', reasonCode, ...(r.remaining > 0 ? props() : {}) };
    }
    default:
      throw new RangeError(`Unsupported MQTT packet type ${header >> 4} from a broker`);
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
