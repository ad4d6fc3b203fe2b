import { ByteWriter, type ByteReader } from './bytes-io.js';
import type { Properties } from './packets.js';

type Kind = 'bool' | 'u8' | 'u16' | 'u32' | 'var' | 'str' | 'bin' | 'pair';

/** MQTT 5 property identifiers and their wire types (MQTT 5.0 §2.2.2.2), by `mqtt-packet` name. */
const TABLE: Readonly<Record<keyof Properties, readonly [id: number, kind: Kind]>> = {
  payloadFormatIndicator: [1, 'bool'],
  messageExpiryInterval: [2, 'u32'],
  contentType: [3, 'str'],
  responseTopic: [8, 'str'],
  correlationData: [9, 'bin'],
  subscriptionIdentifier: [11, 'var'],
  sessionExpiryInterval: [17, 'u32'],
  assignedClientIdentifier: [18, 'str'],
  serverKeepAlive: [19, 'u16'],
  authenticationMethod: [21, 'str'],
  authenticationData: [22, 'bin'],
  requestProblemInformation: [23, 'bool'],
  willDelayInterval: [24, 'u32'],
  requestResponseInformation: [25, 'bool'],
  responseInformation: [26, 'str'],
  serverReference: [28, 'str'],
  reasonString: [31, 'str'],
  receiveMaximum: [33, 'u16'],
  topicAliasMaximum: [34, 'u16'],
  topicAlias: [35, 'u16'],
  maximumQoS: [36, 'u8'],
  retainAvailable: [37, 'bool'],
  userProperties: [38, 'pair'],
  maximumPacketSize: [39, 'u32'],
  wildcardSubscriptionAvailable: [40, 'bool'],
  subscriptionIdentifiersAvailable: [41, 'bool'],
  sharedSubscriptionAvailable: [42, 'bool'],
} as Record<keyof Properties, readonly [number, Kind]>;

const BY_ID = new Map<number, [keyof Properties, Kind]>(
  Object.entries(TABLE).map(([name, [id, kind]]) => [id, [name as keyof Properties, kind]]),
);

function writeValue(w: ByteWriter, kind: Kind, value: unknown): void {
  switch (kind) {
    case 'bool':
      w.u8(value ? 1 : 0);
      break;
    case 'u8':
      w.u8(value as number);
      break;
    case 'u16':
      w.u16(value as number);
      break;
    case 'u32':
      w.u32(value as number);
      break;
    case 'var':
      w.varint(value as number);
      break;
    case 'str':
      w.string(value as string);
      break;
    case 'bin':
      w.binary(value as Uint8Array);
      break;
    default:
      break;
  }
}

/** Writes a property block: its length, then each property (`undefined` ones skipped). */
export function writeProperties(w: ByteWriter, properties: Properties | undefined): void {
  const body = new ByteWriter();
  for (const [name, value] of Object.entries(properties ?? {})) {
    if (value === undefined || value === null) continue;
    const entry = TABLE[name as keyof Properties] as readonly [number, Kind] | undefined;
    if (entry === undefined) throw new TypeError(`Unknown MQTT 5 property "${name}"`);
    const [id, kind] = entry;
    if (kind === 'pair') {
      for (const [key, values] of Object.entries(value as Record<string, string | string[]>)) {
        for (const v of Array.isArray(values) ? values : [values]) body.u8(id).string(key).string(String(v));
      }
    } else {
      for (const v of Array.isArray(value) ? value : [value]) writeValue(body.u8(id), kind, v);
    }
  }
  w.varint(body.length).raw(body.finish());
}

function readValue(r: ByteReader, kind: Kind): unknown {
  switch (kind) {
    case 'bool':
      return r.u8() !== 0;
    case 'u8':
      return r.u8();
    case 'u16':
      return r.u16();
    case 'u32':
      return r.u32();
    case 'var':
      return r.varint();
    case 'str':
      return r.string();
    default:
      return r.binary();
  }
}

/**
 * Reads a property block; `undefined` when it is empty. Repeated user properties keep every
 * value (a name's values as a list), repeated subscription identifiers become a list, and any
 * other repeated property throws.
 */
export function readProperties(r: ByteReader): Properties | undefined {
  const length = r.varint();
  if (length > r.remaining) throw new RangeError('Malformed MQTT 5 properties: longer than the packet');
  const end = r.position + length;
  const out: Record<string, unknown> = {};
  let any = false;
  while (r.position < end) {
    const id = r.u8();
    const entry = BY_ID.get(id);
    if (entry === undefined) throw new RangeError(`Unknown MQTT 5 property identifier ${id}`);
    const [name, kind] = entry;
    any = true;
    if (kind === 'pair') {
      // Names are the peer's: a null-prototype object, so "__proto__" is just a name.
      const pairs = (out[name] ??= Object.create(null)) as Record<string, string | string[]>;
      const key = r.string();
      const value = r.string();
      const had = pairs[key];
      pairs[key] = had === undefined ? value : Array.isArray(had) ? [...had, value] : [had, value];
      continue;
    }
    const value = readValue(r, kind);
    const had = out[name];
    if (had === undefined) out[name] = value;
    // Only a PUBLISH's subscription identifiers may repeat (one per matching subscription);
    // any other repeated property is a protocol error [MQTT 5.0 §2.2.2.2], not a list its type hides.
    else if (name === 'subscriptionIdentifier')
      out[name] = Array.isArray(had) ? [...(had as number[]), value] : [had, value];
    else throw new RangeError(`Repeated MQTT 5 property "${name}"`);
  }
  return any ? (out as Properties) : undefined;
}
