/**
 * The lean engine's codec against `mqtt-packet` (MQTT.js's codec), the reference, both ways and
 * for every packet type it encodes or decodes, on MQTT 3.1.1 and 5: what we encode, mqtt-packet
 * parses to the same packet; what mqtt-packet generates, we decode to the same packet; and a
 * byte stream of many packets cut anywhere still frames into the same packets.
 */
import fc from 'fast-check';
import mqttPacket from 'mqtt-packet';
import { describe, expect, it } from 'vitest';
import { decodePacket } from './decode-packet.js';
import { encodePacket } from './encode-packet.js';
import { decodeAnyPacket, encodeAnyPacket } from './server-direction.js';
import { PacketFramer } from './packet-framer.js';
import type { Packet, Properties } from './packets.js';

type Version = 4 | 5;
const RUNS = { numRuns: 300 };

// Reason codes mqtt-packet accepts, per packet (it validates them on MQTT 5).
const SUBACK_V5 = [0, 1, 2, 0x80, 0x83, 0x87, 0x8f, 0x91, 0x97, 0x9e, 0xa1, 0xa2];
const PUBACK_V5 = [0, 0x10, 0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99];
const UNSUBACK_V5 = [0, 0x11, 0x80, 0x83, 0x87, 0x8f, 0x91];
const DISCONNECT_V5 = [
  0, 4, 0x80, 0x81, 0x82, 0x83, 0x87, 0x89, 0x8b, 0x8d, 0x8e, 0x8f, 0x90, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99,
  0x9a, 0x9b, 0x9c, 0x9d, 0x9e, 0x9f, 0xa0, 0xa1, 0xa2,
];
const CONNACK_V5 = [
  0, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x8c, 0x90, 0x95, 0x97, 0x99, 0x9a, 0x9b, 0x9c,
  0x9d, 0x9f,
];

const text = fc.string({ unit: 'grapheme', maxLength: 20 });
const topic = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 });
const bytes = fc.uint8Array({ maxLength: 64 });
const id = fc.integer({ min: 1, max: 0xffff });
const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
// Values are non-empty: mqtt-packet's parser tests a repeated name's first value for truthiness,
// so it drops an empty first value of a repeated name (ours keeps it, as MQTT 5 says).
const pairValue = text.filter((v) => v.length > 0);
const userProperties = fc.dictionary(
  text.filter((k) => k.length > 0),
  fc.oneof(pairValue, fc.array(pairValue, { minLength: 2, maxLength: 3 })),
  { minKeys: 1, maxKeys: 3 },
);

const propertyArbs = {
  sessionExpiryInterval: u32,
  receiveMaximum: fc.integer({ min: 1, max: 0xffff }),
  maximumPacketSize: fc.integer({ min: 1, max: 0xffffffff }),
  topicAliasMaximum: u16,
  requestResponseInformation: fc.boolean(),
  requestProblemInformation: fc.boolean(),
  userProperties,
  authenticationMethod: text,
  authenticationData: bytes,
  payloadFormatIndicator: fc.boolean(),
  messageExpiryInterval: u32,
  contentType: text,
  responseTopic: topic,
  correlationData: bytes,
  maximumQoS: fc.integer({ min: 0, max: 1 }),
  retainAvailable: fc.boolean(),
  assignedClientIdentifier: text,
  reasonString: text,
  wildcardSubscriptionAvailable: fc.boolean(),
  subscriptionIdentifiersAvailable: fc.boolean(),
  sharedSubscriptionAvailable: fc.boolean(),
  serverKeepAlive: u16,
  responseInformation: text,
  serverReference: text,
  topicAlias: fc.integer({ min: 1, max: 0xffff }),
  subscriptionIdentifier: fc.integer({ min: 1, max: 268_435_455 }),
} satisfies { [K in keyof Properties]?: fc.Arbitrary<unknown> };

/** Optional MQTT 5 properties drawn from `names`. */
function properties(names: (keyof typeof propertyArbs)[]): fc.Arbitrary<Properties | undefined> {
  const record = Object.fromEntries(names.map((n) => [n, propertyArbs[n]])) as Record<string, fc.Arbitrary<unknown>>;
  return fc.option(
    fc.record(record, { requiredKeys: [] }).filter((p) => Object.keys(p).length > 0) as fc.Arbitrary<Properties>,
    { nil: undefined },
  );
}

/** An arbitrary of every packet type for `version`. */
function packets(version: Version): Record<string, fc.Arbitrary<Packet>> {
  const v5 = version === 5;
  const props = (names: (keyof typeof propertyArbs)[]): fc.Arbitrary<{ properties?: Properties }> =>
    v5 ? properties(names).map((p) => (p === undefined ? {} : { properties: p })) : fc.constant({});
  const code = (v4: readonly number[], v5codes: readonly number[]): fc.Arbitrary<number> =>
    fc.constantFrom(...(v5 ? v5codes : v4));
  return {
    connect: fc
      .record({
        clean: fc.boolean(),
        keepalive: u16,
        clientId: text.filter((c) => c.length > 0),
        credentials: fc.option(fc.record({ username: text, password: fc.option(bytes, { nil: undefined }) }), {
          nil: undefined,
        }),
        p: props([
          'sessionExpiryInterval',
          'receiveMaximum',
          'maximumPacketSize',
          'topicAliasMaximum',
          'requestResponseInformation',
          'requestProblemInformation',
          'userProperties',
          'authenticationMethod',
          'authenticationData',
        ]),
      })
      .map(({ clean, keepalive, clientId, credentials, p }) => ({
        cmd: 'connect' as const,
        protocolId: 'MQTT' as const,
        protocolVersion: version,
        clean,
        keepalive,
        clientId,
        ...(credentials === undefined ? {} : { username: credentials.username }),
        ...(credentials?.password === undefined ? {} : { password: credentials.password }),
        ...p,
      })),
    connack: fc
      .record({
        sessionPresent: fc.boolean(),
        c: code([0, 1, 2, 3, 4, 5], CONNACK_V5),
        p: props([
          'sessionExpiryInterval',
          'receiveMaximum',
          'maximumQoS',
          'retainAvailable',
          'maximumPacketSize',
          'assignedClientIdentifier',
          'topicAliasMaximum',
          'reasonString',
          'userProperties',
          'wildcardSubscriptionAvailable',
          'subscriptionIdentifiersAvailable',
          'sharedSubscriptionAvailable',
          'serverKeepAlive',
          'responseInformation',
          'serverReference',
        ]),
      })
      .map(({ sessionPresent, c, p }) => ({
        cmd: 'connack' as const,
        sessionPresent,
        ...(v5 ? { reasonCode: c } : { returnCode: c }),
        ...p,
      })),
    publish: fc
      .record({
        topic,
        payload: fc.uint8Array({ maxLength: 300 }),
        qos: fc.constantFrom(0, 1, 2) as fc.Arbitrary<0 | 1 | 2>,
        dup: fc.boolean(),
        retain: fc.boolean(),
        messageId: id,
        p: props([
          'payloadFormatIndicator',
          'messageExpiryInterval',
          'contentType',
          'responseTopic',
          'correlationData',
          'userProperties',
          'topicAlias',
          'subscriptionIdentifier',
        ]),
      })
      .map(({ qos, dup, messageId, p, ...rest }) => ({
        cmd: 'publish' as const,
        ...rest,
        qos,
        dup: qos > 0 && dup,
        ...(qos > 0 ? { messageId } : {}),
        ...p,
      })),
    puback: fc
      .record({ messageId: id, c: code([0], PUBACK_V5), p: props(['reasonString', 'userProperties']) })
      .map(({ messageId, c, p }) => ({ cmd: 'puback' as const, messageId, ...(v5 ? { reasonCode: c } : {}), ...p })),
    subscribe: fc
      .record({
        messageId: id,
        subscriptions: fc.array(
          fc.record({
            topic,
            qos: fc.constantFrom(0, 1, 2) as fc.Arbitrary<0 | 1 | 2>,
            nl: fc.boolean(),
            rap: fc.boolean(),
            rh: fc.integer({ min: 0, max: 2 }),
          }),
          { minLength: 1, maxLength: 8 },
        ),
        p: props(['subscriptionIdentifier', 'userProperties']),
      })
      .map(({ messageId, subscriptions, p }) => ({
        cmd: 'subscribe' as const,
        messageId,
        subscriptions: subscriptions.map((s) => (v5 ? s : { topic: s.topic, qos: s.qos })),
        ...p,
      })),
    suback: fc
      .record({
        messageId: id,
        granted: fc.array(code([0, 1, 2, 0x80], SUBACK_V5), { minLength: 1, maxLength: 8 }),
        p: props(['reasonString', 'userProperties']),
      })
      .map(({ messageId, granted, p }) => ({ cmd: 'suback' as const, messageId, granted, ...p })),
    unsubscribe: fc
      .record({
        messageId: id,
        unsubscriptions: fc.array(topic, { minLength: 1, maxLength: 8 }),
        p: props(['userProperties']),
      })
      .map(({ messageId, unsubscriptions, p }) => ({ cmd: 'unsubscribe' as const, messageId, unsubscriptions, ...p })),
    unsuback: fc
      .record({
        messageId: id,
        granted: fc.array(code([0], UNSUBACK_V5), { minLength: 1, maxLength: 8 }),
        p: props(['reasonString', 'userProperties']),
      })
      .map(({ messageId, granted, p }) => ({ cmd: 'unsuback' as const, messageId, ...(v5 ? { granted, ...p } : {}) })),
    pingreq: fc.constant({ cmd: 'pingreq' as const }),
    pingresp: fc.constant({ cmd: 'pingresp' as const }),
    disconnect: fc
      .record({
        c: code([0], DISCONNECT_V5),
        p: props(['sessionExpiryInterval', 'reasonString', 'userProperties', 'serverReference']),
      })
      .map(({ c, p }) => ({ cmd: 'disconnect' as const, ...(v5 ? { reasonCode: c, ...p } : {}) })),
  };
}

/** The fields of our packet shape, per type: what is compared. */
const FIELDS: Record<Packet['cmd'], string[]> = {
  connect: ['protocolId', 'protocolVersion', 'clean', 'keepalive', 'clientId', 'username', 'password'],
  connack: ['sessionPresent', 'returnCode', 'reasonCode'],
  publish: ['topic', 'payload', 'qos', 'dup', 'retain', 'messageId'],
  puback: ['messageId', 'reasonCode'],
  subscribe: ['messageId', 'subscriptions'],
  suback: ['messageId', 'granted'],
  unsubscribe: ['messageId', 'unsubscriptions'],
  unsuback: ['messageId', 'granted'],
  pingreq: [],
  pingresp: [],
  disconnect: ['reasonCode'],
};

/** Plain data for comparing: bytes as number lists, null-prototype objects as plain ones, no undefined. */
function plain(value: unknown): unknown {
  if (value instanceof Uint8Array) return Array.from(value);
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = plain(v);
    return out;
  }
  return value;
}

/** Our packet's fields, taken from any packet-shaped object (mqtt-packet's have more). */
function comparable(packet: Record<string, unknown>, version: Version): unknown {
  const cmd = packet.cmd as Packet['cmd'];
  const fields = ['cmd', ...FIELDS[cmd], ...(version === 5 ? ['properties'] : [])];
  const picked: Record<string, unknown> = {};
  for (const field of fields) if (packet[field] !== undefined && packet[field] !== null) picked[field] = packet[field];
  // mqtt-packet reports a 3.1.1 packet's dup/qos/retain on every packet; only PUBLISH has them.
  return plain(picked);
}

/** The packet as mqtt-packet takes it: bytes as Buffers. */
function forReference(value: unknown): mqttPacket.Packet {
  const convert = (v: unknown): unknown => {
    if (v instanceof Uint8Array) return Buffer.from(v);
    if (Array.isArray(v)) return v.map(convert);
    if (v !== null && typeof v === 'object')
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, convert(x)]));
    return v;
  };
  return convert(value) as mqttPacket.Packet;
}

/** Parses `buffer` with mqtt-packet. */
function parseWithReference(buffer: Uint8Array, version: Version): Record<string, unknown>[] {
  const parser = mqttPacket.parser({ protocolVersion: version });
  const out: Record<string, unknown>[] = [];
  const errors: Error[] = [];
  parser.on('packet', (p: unknown) => out.push(p as Record<string, unknown>));
  parser.on('error', (e: Error) => errors.push(e));
  parser.parse(Buffer.from(buffer));
  if (errors.length > 0) throw errors[0];
  return out;
}

/** Frames and decodes `buffer` (possibly many packets) with our codec. */
function decodeAll(chunks: Uint8Array[], version: Version): Packet[] {
  const out: Packet[] = [];
  const framer = new PacketFramer((header, body) => out.push(decodeAnyPacket(header, body, version)));
  for (const chunk of chunks) framer.push(chunk);
  return out;
}

for (const version of [4, 5] as const) {
  describe(`MQTT ${version === 4 ? '3.1.1' : '5'} codec against mqtt-packet`, () => {
    for (const [cmd, arbitrary] of Object.entries(packets(version))) {
      it(`${cmd}: what we encode, mqtt-packet parses to the same packet`, () => {
        fc.assert(
          fc.property(arbitrary, (packet) => {
            const parsed = parseWithReference(encodeAnyPacket(packet, version), version);
            expect(parsed).toHaveLength(1);
            expect(comparable(parsed[0] as Record<string, unknown>, version)).toEqual(
              comparable(packet as unknown as Record<string, unknown>, version),
            );
          }),
          RUNS,
        );
      });

      it(`${cmd}: what mqtt-packet generates, we decode to the same packet`, () => {
        fc.assert(
          fc.property(arbitrary, (packet) => {
            const generated = mqttPacket.generate(forReference(packet), { protocolVersion: version });
            const decoded = decodeAll([new Uint8Array(generated)], version);
            expect(decoded).toHaveLength(1);
            expect(comparable(decoded[0] as unknown as Record<string, unknown>, version)).toEqual(
              comparable(packet as unknown as Record<string, unknown>, version),
            );
          }),
          RUNS,
        );
      });
    }

    it('a stream of packets cut at any points frames into the same packets, in order', () => {
      const any = fc.oneof(...Object.values(packets(version)));
      fc.assert(
        fc.property(
          fc.array(any, { minLength: 1, maxLength: 8 }),
          fc.array(fc.nat(), { maxLength: 6 }),
          (list, cuts) => {
            const stream = Buffer.concat(
              list.map((p) => mqttPacket.generate(forReference(p), { protocolVersion: version })),
            );
            const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
            const chunks: Uint8Array[] = [];
            let at = 0;
            for (const point of [...points, stream.length]) {
              chunks.push(new Uint8Array(stream.subarray(at, point)));
              at = point;
            }
            const decoded = decodeAll(chunks, version);
            expect(decoded.map((p) => comparable(p as unknown as Record<string, unknown>, version))).toEqual(
              list.map((p) => comparable(p as unknown as Record<string, unknown>, version)),
            );
          },
        ),
        RUNS,
      );
    });
  });
}

describe('malformed input', () => {
  it('a truncated body, a QoS 3 PUBLISH, an unknown type or property, bad UTF-8: a RangeError or TypeError, never a wrong packet', () => {
    expect(() => decodePacket(0x30, new Uint8Array([0, 5, 0x61]), 4)).toThrow(RangeError);
    expect(() => decodePacket(0x36, new Uint8Array([0, 1, 0x61]), 4)).toThrow(/QoS 3/);
    expect(() => decodePacket(0xf0, new Uint8Array([]), 5)).toThrow(/type 15/);
    expect(() => decodePacket(0x40, new Uint8Array([0, 1, 0, 2, 0x7f, 0]), 5)).toThrow(/property identifier 127/);
    expect(() => decodePacket(0x30, new Uint8Array([0, 1, 0xff]), 4)).toThrow(TypeError);
  });

  it('reserved header flag bits and packet id 0 are refused, as mqtt-packet refuses them', () => {
    const parses = (bytes: number[], version: Version): boolean => {
      const parser = mqttPacket.parser({ protocolVersion: version });
      let failed = false;
      parser.on('error', () => void (failed = true));
      parser.parse(Buffer.from(bytes));
      return !failed;
    };
    // PUBACK, SUBACK and PINGRESP with a flag bit set; SUBSCRIBE without its fixed 0x2.
    for (const bytes of [
      [0x41, 2, 0, 1],
      [0x92, 3, 0, 1, 0],
      [0xd1, 0],
      [0x80, 6, 0, 1, 0, 1, 0x61, 0],
    ]) {
      expect(parses(bytes, 4), bytes.join()).toBe(false);
      expect(() => decodePacket(bytes[0]!, new Uint8Array(bytes.slice(2)), 4)).toThrow(/Invalid header flags/);
    }
    for (const [header, body] of [
      [0x40, [0, 0]], // PUBACK
      [0x90, [0, 0, 0]], // SUBACK
      [0x32, [0, 1, 0x61, 0, 0]], // QoS 1 PUBLISH
    ] as const)
      expect(() => decodePacket(header, new Uint8Array(body), 4)).toThrow(/Packet identifier 0/);
  });

  it('a repeated MQTT 5 property is a protocol error, except user properties and subscription identifiers', () => {
    // PUBACK id 1, reason 0, properties: reasonString "a" twice.
    expect(() => decodePacket(0x40, new Uint8Array([0, 1, 0, 8, 31, 0, 1, 0x61, 31, 0, 1, 0x61]), 5)).toThrow(
      /Repeated MQTT 5 property "reasonString"/,
    );
    // QoS 0 PUBLISH "t" with subscription identifiers 1 and 2: a list.
    const publish = decodePacket(0x30, new Uint8Array([0, 1, 0x74, 4, 11, 1, 11, 2]), 5);
    expect(publish).toMatchObject({ cmd: 'publish', properties: { subscriptionIdentifier: [1, 2] } });
  });

  it('the shipped codec speaks the client side only: it neither encodes a CONNACK nor decodes a CONNECT', () => {
    expect(() => encodePacket({ cmd: 'connack', sessionPresent: false, returnCode: 0 }, 4)).toThrow(/does not send/);
    const connect = encodeAnyPacket(
      { cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, keepalive: 0, clientId: 'c' },
      4,
    );
    expect(() => decodePacket(connect[0]!, connect.subarray(2), 4)).toThrow(/type 1 from a broker/);
    expect(decodeAnyPacket(connect[0]!, connect.subarray(2), 4)).toMatchObject({ cmd: 'connect', clientId: 'c' });
  });

  it('a remaining length over four bytes or over the limit fails the framing', () => {
    expect(() => new PacketFramer(() => undefined).push(new Uint8Array([0x30, 0xff, 0xff, 0xff, 0xff, 0x01]))).toThrow(
      /more than 4 bytes/,
    );
    expect(() => new PacketFramer(() => undefined, 10).push(new Uint8Array([0x30, 11]))).toThrow(
      /exceeds the limit of 10/,
    );
  });
});
