/**
 * Admission of MQTT connections before they authenticate, so that an unauthenticated peer
 * cannot hold the broker's memory: every stream handed to aedes goes through here. It caps
 * the unauthenticated connections per source address, gives each a deadline to complete its
 * CONNECT (aedes' own 30 s timer stops at the first CONNECT byte, not at CONNACK), and
 * refuses any packet declaring more than the packet-size limit before aedes buffers it.
 */
import type { Aedes, Client } from 'aedes';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Clock, ClockTimer } from '../clock.js';
import type { Logger } from '../logger.js';
import type { ConnectRefusalReason, RefusalEvents } from '../refusal-events.js';
import { PacketSizeGuard } from './packet-size-guard.js';
import type { TransportKind } from './transport-auth.js';

/** The gate's limits. */
export interface ConnectionGateLimits {
  /** Time from handover to an authenticated CONNECT, ms. */
  readonly connectTimeoutMs: number;
  /** Connections from one address that have not completed CONNECT. */
  readonly maxPendingPerAddress: number;
  /** Largest remaining length of any packet, bytes. */
  readonly maxPacketBytes: number;
}

interface Pending {
  readonly address: string;
  readonly timer: ClockTimer;
}

/** What the gate needs. */
export interface ConnectionGateDeps {
  readonly broker: Aedes;
  readonly limits: ConnectionGateLimits;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly refusals: RefusalEvents;
  /**
   * Called when a connection breaks the packet-size limit, before it is destroyed: records the
   * disconnect reason, and returns the client id when the connection had completed CONNECT.
   */
  readonly onOversized?: (stream: Duplex, problem: string) => string | undefined;
}

/** The listener names the log lines use. */
const LABELS: Readonly<Record<TransportKind, string>> = { tcp: 'mqtt', tls: 'mqtts', ws: 'ws', wss: 'wss' };

/** One broker's admission control. */
export class ConnectionGate {
  readonly #pending = new Map<Duplex, Pending>();
  readonly #perAddress = new Map<string, number>();

  readonly #deps: ConnectionGateDeps;

  constructor(deps: ConnectionGateDeps) {
    this.#deps = deps;
    deps.broker.on('clientReady', (client: Client) => this.#settle(client.conn as Duplex));
  }

  /**
   * Hands `stream` to aedes unless its address has too many unauthenticated connections.
   * @returns false when it was refused (and destroyed)
   */
  handle(stream: Duplex, address: string, transport: TransportKind, request?: IncomingMessage): boolean {
    const { limits, clock } = this.#deps;
    const label = LABELS[transport];
    const count = this.#perAddress.get(address) ?? 0;
    if (count >= limits.maxPendingPerAddress) {
      this.#refuse(
        transport,
        address,
        'too-many-pending',
        `${label} connection from ${address} refused: ${count} connections from this address have not completed CONNECT (maxPendingConnectionsPerAddress ${limits.maxPendingPerAddress})`,
      );
      stream.destroy();
      return false;
    }
    this.#perAddress.set(address, count + 1);
    const timer = clock.setTimeout(() => {
      this.#refuse(
        transport,
        address,
        'connect-timeout',
        `${label} connection from ${address} closed: no CONNECT completed within ${limits.connectTimeoutMs} ms (connectTimeoutMs)`,
      );
      this.#settle(stream);
      stream.destroy();
    }, limits.connectTimeoutMs);
    this.#pending.set(stream, { address, timer });
    stream.once('close', () => this.#settle(stream));
    this.#deps.broker.handle(stream, request);
    this.#guard(stream, transport, address);
    return true;
  }

  #refuse(transport: TransportKind, ipAddress: string, reason: ConnectRefusalReason, detail: string): void {
    this.#deps.logger.info(detail);
    this.#deps.refusals.emit({ action: 'connect', reason, transport, ipAddress, linkKept: false, detail });
  }

  /**
   * `stream` has authenticated: it is no longer an unauthenticated connection, and its deadline
   * ends. Called before its CONNACK is written: aedes' clientReady comes only after the queued
   * messages, when the client may long be connected (and a clock moved past the deadline).
   */
  admitted(stream: object): void {
    this.#settle(stream as Duplex);
  }

  /** The limits in force. */
  get limits(): ConnectionGateLimits {
    return this.#deps.limits;
  }

  /** Unauthenticated connections now open (all addresses). */
  get pendingCount(): number {
    return this.#pending.size;
  }

  /** Wraps the aedes client's parser so every byte is checked before mqtt-packet buffers it. */
  #guard(stream: Duplex, transport: TransportKind, address: string): void {
    const parser = (stream as Duplex & { client?: { _parser?: { parse(chunk: Buffer): unknown } } }).client?._parser;
    if (parser === undefined)
      throw new Error('aedes client parser not found: the packet-size guard cannot be installed');
    const guard = new PacketSizeGuard(this.#deps.limits.maxPacketBytes);
    const parse = parser.parse.bind(parser);
    parser.parse = (chunk: Buffer) => {
      const verdict = guard.feed(chunk);
      if (verdict.ok) return parse(chunk);
      const detail = `${LABELS[transport]} connection from ${address} closed: ${verdict.problem} (limits.maxPacketBytes)`;
      this.#deps.logger.info(detail);
      const clientId = this.#deps.onOversized?.(stream, verdict.problem);
      this.#deps.refusals.emit({
        action: 'packet',
        reason: 'packet-too-large',
        transport,
        ipAddress: address,
        ...(clientId === undefined ? {} : { clientId }),
        linkKept: false,
        detail,
      });
      stream.destroy();
      return 0;
    };
  }

  #settle(stream: Duplex): void {
    const entry = this.#pending.get(stream);
    if (entry === undefined) return;
    this.#pending.delete(stream);
    this.#deps.clock.clearTimeout(entry.timer);
    const left = (this.#perAddress.get(entry.address) ?? 1) - 1;
    if (left <= 0) this.#perAddress.delete(entry.address);
    else this.#perAddress.set(entry.address, left);
  }

  /** Clears every deadline (on stop). */
  dispose(): void {
    for (const stream of [...this.#pending.keys()]) this.#settle(stream);
  }
}
