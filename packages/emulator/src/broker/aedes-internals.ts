/**
 * The one place the emulator reads aedes's undocumented fields. aedes exposes hooks
 * (`preConnect`, `authenticate`, `authorize*`) but not what IoT Core's rules need to see:
 * a whole SUBSCRIBE before it is split, the filters a client holds, whether the client sent
 * DISCONNECT, and the persistence to expire a session. Each accessor names the field it reads;
 * `aedes-internals.test.ts` checks every one against the installed aedes, so an upgrade that
 * renames one fails there, loudly, instead of silently changing the rules' behaviour.
 */
import type { EventEmitter } from 'node:events';
import type { Writable } from 'node:stream';
import type { Aedes, Client } from 'aedes';
import mqttPacket from 'mqtt-packet';

/** A packet as aedes's parser emits it (only the fields the rules read or change). */
export interface ParsedPacket {
  readonly cmd: string;
  readonly subscriptions?: { topic: string; qos: number }[];
  readonly unsubscriptions?: string[];
  readonly properties?: { readonly subscriptionIdentifier?: number | number[] };
}

/** The aedes client bound to a connection's stream (`stream.client`), once aedes has it. */
export function clientOfStream(stream: object): Client | undefined {
  return (stream as { client?: Client }).client;
}

/**
 * Runs `listener` on every packet the client's parser reads, before aedes handles it
 * (`client._parser`). Returns false when the parser is missing (aedes changed).
 */
export function beforeEachPacket(client: Client, listener: (packet: ParsedPacket) => void): boolean {
  const parser = (client as unknown as { _parser?: EventEmitter })._parser;
  if (parser === undefined) return false;
  parser.prependListener('packet', listener);
  return true;
}

/** The broker's number for a message (`packet.brokerCounter`, one per publish); 0 when absent. */
export function messageCounter(packet: object): number {
  return (packet as { brokerCounter?: number }).brokerCounter ?? 0;
}

/** Whether aedes has closed the client (`client.closed`). */
export function isClientClosed(client: Client): boolean {
  return (client as unknown as { closed?: boolean }).closed === true;
}

/** Whether the client ended with an MQTT DISCONNECT (`client._disconnected`). */
export function clientSentDisconnect(client: Client): boolean {
  return (client as unknown as { _disconnected?: boolean })._disconnected === true;
}

/** The filters the client holds on this connection (`client.subscriptions`, keyed by filter). */
export function heldFilters(client: Client): Readonly<Record<string, unknown>> {
  return (client as unknown as { subscriptions?: Record<string, unknown> }).subscriptions ?? {};
}

/** The slice of aedes's persistence the emulator uses to free a session's queued messages. */
interface OutgoingQueue {
  outgoingStream(client: { id: string }): AsyncIterable<{ messageId?: number }>;
  outgoingClearMessageId(client: { id: string }, packet: { messageId?: number }): Promise<unknown>;
}

function outgoingQueue(broker: Aedes): OutgoingQueue {
  return (broker as unknown as { persistence: OutgoingQueue }).persistence;
}

/** How many messages aedes holds queued for `clientId` (`persistence.outgoingStream`). */
export async function queuedMessageCount(broker: Aedes, clientId: string): Promise<number> {
  let count = 0;
  for await (const packet of outgoingQueue(broker).outgoingStream({ id: clientId })) if (packet) count += 1;
  return count;
}

/**
 * Frees the messages queued for `clientId` (`persistence.outgoingClearMessageId` on each, as
 * aedes's own `emptyOutgoingQueue` does for a connected client). Returns how many went.
 */
export async function discardQueuedMessages(broker: Aedes, clientId: string): Promise<number> {
  const queue = outgoingQueue(broker);
  let count = 0;
  for await (const packet of queue.outgoingStream({ id: clientId })) {
    await queue.outgoingClearMessageId({ id: clientId }, packet);
    count += 1;
  }
  return count;
}

/** Forgets a persistent session's subscriptions (`broker.persistence.cleanSubscriptions`). */
export function cleanStoredSubscriptions(broker: Aedes, clientId: string): Promise<void> {
  const persistence = (
    broker as unknown as { persistence: { cleanSubscriptions(client: { id: string }): Promise<void> } }
  ).persistence;
  return persistence.cleanSubscriptions({ id: clientId });
}

/**
 * Makes a connection end without its last will (`client.will`, and the copy aedes persisted):
 * aedes publishes `client.will` when a link closes without DISCONNECT.
 */
export async function forgetWill(broker: Aedes, client: Client): Promise<void> {
  (client as unknown as { will: unknown }).will = null;
  const persistence = (
    broker as unknown as { persistence: { delWill(client: { id: string; brokerId: string }): Promise<unknown> } }
  ).persistence;
  await persistence.delWill({ id: client.id, brokerId: broker.id });
}

/** The MQTT 5 limits aedes reads from its own fields (`broker.topicAliasMaximum`, …). */
export interface AedesMqtt5Limits {
  /** Highest topic alias a client may use; advertised in CONNACK. */
  readonly topicAliasMaximum: number;
  /** Session expiry intervals above this (seconds) are lowered to it, and the CONNACK says so. */
  readonly sessionExpiryIntervalLimit: number;
  /** Most persistent sessions waiting for their client; beyond it a leaving session ends at once. */
  readonly pendingSessionsLimit: number;
}

/** Sets aedes's MQTT 5 limits on a running broker (the fields its constructor copies options to). */
export function setMqtt5Limits(broker: Aedes, limits: AedesMqtt5Limits): void {
  Object.assign(broker, limits);
}

/** The Maximum Packet Size the client sent in CONNECT (`client.maximumPacketSize`), if any. */
export function clientMaximumPacketSize(client: Client): number | undefined {
  return (client as unknown as { maximumPacketSize?: number }).maximumPacketSize;
}

/** An MQTT 5 client's session expiry after aedes clamped it (`client.sessionExpiryInterval`), seconds. */
export function clientSessionExpiryInterval(client: Client): number {
  return (client as unknown as { sessionExpiryInterval?: number }).sessionExpiryInterval ?? 0;
}

/** A decoded CONNACK, as mqtt-packet parses it. */
export interface ConnackPacket {
  readonly reasonCode?: number;
  properties?: Record<string, unknown>;
}

/**
 * Lets `edit` change the next CONNACK aedes writes on `stream` (protocol level 5). aedes builds
 * its CONNACK properties from broker-wide fields only, with no hook; mqtt-packet writes a CONNACK
 * as a few synchronous `stream.write`s, so they are collected, decoded, edited and written again
 * as one buffer. Later writes go straight through.
 */
export function editNextConnack(stream: Writable, edit: (connack: ConnackPacket) => void): void {
  const own = Object.prototype.hasOwnProperty.call(stream, 'write');
  const original = stream.write;
  const chunks: Buffer[] = [];
  const callbacks: ((error?: Error | null) => void)[] = [];
  const restore = (): void => {
    if (own) stream.write = original;
    else delete (stream as Partial<Writable>).write;
  };
  stream.write = function collect(this: Writable, chunk: unknown, ...rest: unknown[]): boolean {
    chunks.push(Buffer.from(chunk as Uint8Array));
    const callback = rest.find((arg): arg is (error?: Error | null) => void => typeof arg === 'function');
    if (callback !== undefined) callbacks.push(callback);
    const held = Buffer.concat(chunks);
    const size = wholePacketSize(held);
    if (size === undefined || held.length < size) return true;
    restore();
    let decoded: ConnackPacket | undefined;
    const parser = mqttPacket.parser({ protocolVersion: 5 });
    parser.on('packet', (packet: ConnackPacket & { cmd: string }) => {
      if (packet.cmd === 'connack') decoded = packet;
    });
    parser.parse(held.subarray(0, size));
    let bytes: Buffer = held.subarray(0, size);
    if (decoded !== undefined) {
      edit(decoded);
      bytes = mqttPacket.generate(decoded as mqttPacket.Packet, { protocolVersion: 5 });
    }
    const out = Buffer.concat([bytes, held.subarray(size)]);
    const done = (error?: Error | null): void => callbacks.forEach((cb) => cb(error));
    return Reflect.apply(original, this, [out, done]) as boolean;
  } as Writable['write'];
}

/** The whole size of the MQTT packet at the start of `bytes`, once its length field is complete. */
function wholePacketSize(bytes: Buffer): number | undefined {
  let length = 0;
  for (let i = 1; i <= 4 && i < bytes.length; i += 1) {
    const byte = bytes[i] ?? 0;
    length += (byte & 0x7f) * 128 ** (i - 1);
    if ((byte & 0x80) === 0) return 1 + i + length;
  }
  return undefined;
}

/**
 * aedes's memory persistence creates an empty queue entry for every client id that acknowledges a
 * QoS 1 message (`outgoingClearMessageId` makes it, nothing deletes it): about 580 B per client id,
 * kept for good, so clients cycling ids grow the process without bound. A clean session never
 * queues, so for one the call is skipped unless something is queued for its id (a persistent
 * session's leftovers, which its clean start clears).
 */
export function skipEmptyQueueClears(broker: Aedes): void {
  const persistence = outgoingQueue(broker);
  const clear = persistence.outgoingClearMessageId.bind(persistence);
  persistence.outgoingClearMessageId = async (client: { id: string; clean?: boolean }, packet) => {
    if (client.clean === true) {
      let queued = false;
      for await (const entry of persistence.outgoingStream(client)) if (entry) queued = true;
      if (!queued) return undefined;
    }
    return clear(client, packet);
  };
}
