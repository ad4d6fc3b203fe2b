/**
 * How a refused SUBSCRIBE or PUBLISH is told, once {@link PacketAuthorizer} has decided to refuse
 * it: logged, emitted as a typed refusal, and either ends the link (IoT Core's way on MQTT 3.1.1,
 * and for limit violations on MQTT 5) or, for an MQTT 5 policy refusal, is answered by reason code
 * with the link kept.
 */
import type { Client } from 'aedes';
import type { Logger } from '../logger.js';
import type { PacketRefusalReason, RefusalEvents } from '../refusal-events.js';
import type { LiveSessions } from './live-sessions.js';
import type { DisconnectReason } from './presence-events.js';

/** MQTT 5 DISCONNECT reason 0x82 (protocol error): a v5 client broke one of IoT Core's limits. */
const MQTT5_PROTOCOL_ERROR = 0x82;

/** Refusals by policy (or of a banned client) that an MQTT 5 client hears as 0x87 with its link kept. */
const KEEPS_MQTT5_LINK: readonly DisconnectReason[] = ['FORBIDDEN_ACCESS', 'AUTH_ERROR'];

/** What {@link PacketRefusals} needs. */
export interface PacketRefusalsDeps {
  readonly logger: Logger;
  readonly refusals: RefusalEvents;
  readonly sessions: LiveSessions;
}

/** The refused packet, as the typed refusal names it. */
export interface RefusedPacket {
  readonly action: 'publish' | 'subscribe';
  readonly reason: PacketRefusalReason;
  readonly topic: string;
}

/** Records refusals of packets and remembers, per returned error, how the client is to be told. */
export class PacketRefusals {
  readonly #deps: PacketRefusalsDeps;
  /** Refusals told to an MQTT 5 client by reason code (SUBACK/PUBACK 0x87): its link stays up. */
  readonly #toldByReasonCode = new WeakSet<Error>();
  /** The DISCONNECT reason code an MQTT 5 client hears for a refusal that ends its link (else 0x82). */
  readonly #disconnectCodes = new WeakMap<Error, number>();

  constructor(deps: PacketRefusalsDeps) {
    this.#deps = deps;
  }

  /**
   * Records why the client is about to be disconnected (aedes closes it on the returned error),
   * or, for an MQTT 5 policy refusal, that it is told by reason code and keeps its link.
   * @param disconnectCode - the DISCONNECT reason code an MQTT 5 client hears when its link ends
   *   (default {@link MQTT5_PROTOCOL_ERROR})
   * @returns the error to hand to aedes
   */
  refuse(
    client: Client,
    reason: DisconnectReason,
    refused: RefusedPacket,
    message: string,
    disconnectCode?: number,
  ): Error {
    const { logger, refusals, sessions } = this.#deps;
    const error = new Error(message);
    const linkKept = client.version === 5 && KEEPS_MQTT5_LINK.includes(reason);
    const detail = linkKept
      ? `client "${client.id}" refused with 0x87 (${reason}), link kept: ${message}`
      : `client "${client.id}" disconnected (${reason}): ${message}`;
    if (linkKept) this.#toldByReasonCode.add(error);
    else sessions.setReason(client, reason);
    if (disconnectCode !== undefined) this.#disconnectCodes.set(error, disconnectCode);
    logger.info(detail);
    const auth = sessions.transportOf(client.conn);
    refusals.emit({
      ...refused,
      transport: auth?.transport ?? 'tcp',
      ipAddress: auth?.ipAddress ?? 'unknown',
      clientId: sessions.of(client)?.clientId ?? client.id,
      linkKept,
      detail,
    });
    return error;
  }

  /** Whether `error` is told by reason code (SUBACK/PUBACK 0x87) and the link stays up. */
  keepsLink(error: Error): boolean {
    return this.#toldByReasonCode.has(error);
  }

  /** The DISCONNECT reason code an MQTT 5 client hears when `error` ends its link. */
  disconnectCode(error: Error): number {
    return this.#disconnectCodes.get(error) ?? MQTT5_PROTOCOL_ERROR;
  }
}
