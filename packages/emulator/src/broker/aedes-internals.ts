/**
 * The one place the emulator reads aedes's undocumented fields. aedes exposes hooks
 * (`preConnect`, `authenticate`, `authorize*`) but not what IoT Core's rules need to see:
 * a whole SUBSCRIBE before it is split, the filters a client holds, whether the client sent
 * DISCONNECT, and the persistence to expire a session. Each accessor names the field it reads;
 * `aedes-internals.test.ts` checks every one against the installed aedes, so an upgrade that
 * renames one fails there, loudly, instead of silently changing the rules' behaviour.
 */
import type { EventEmitter } from 'node:events';
import type { Aedes, Client } from 'aedes';

/** A packet as aedes's parser emits it (only the fields the rules read or change). */
export interface ParsedPacket {
  readonly cmd: string;
  readonly subscriptions?: { qos: number }[];
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
