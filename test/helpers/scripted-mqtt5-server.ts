/**
 * A minimal MQTT server on a real TCP socket, scripted by the test, for what no broker here
 * does on demand: PUBACK 0x97, server DISCONNECTs, SUBACK 0x8F on MQTT 3.1.1, packets written
 * right behind CONNACK or SUBACK in one write, packet ids numbered afresh on each link of a
 * kept session, DUP resends with a new packet id. It speaks the wire through `mqtt-packet`
 * (MQTT.js's own codec) in MQTT 5 (default) or 3.1.1 (`protocolVersion: 4`), accepts every
 * CONNECT, and records every packet each connection sends, in order.
 *
 * To extend it: add an optional hook to {@link Script} (called with the {@link ScriptedLink}
 * to write on) and keep the default what a plain broker answers.
 */
import { createServer, type AddressInfo, type Socket } from 'node:net';
import mqttPacket, { type Packet } from 'mqtt-packet';

/** One client connection as the server sees it. */
export interface ScriptedLink {
  /** 1 for the first CONNECT, 2 for the next, and so on. */
  readonly number: number;
  /** Every packet this client sent, in order. */
  readonly received: readonly Packet[];
  /** Writes `packets` in one socket write (a client reads them in one chunk). */
  send(...packets: Record<string, unknown>[]): void;
  /** Writes bytes as they are (malformed packets, codes mqtt-packet will not generate). */
  sendRaw(bytes: Uint8Array): void;
  /** Closes the connection without DISCONNECT. */
  destroy(): void;
  /** Resolves once the socket has closed (either side). */
  readonly closed: Promise<void>;
}

/** What the server does beyond accepting and answering. Every hook is optional. */
export interface Script {
  /** 5 (default) or 4 (MQTT 3.1.1). */
  readonly protocolVersion?: 4 | 5;
  /** PUBACK reason code for a client's QoS 1 PUBLISH to `topic` (default 0). */
  readonly pubackFor?: (topic: string) => number;
  /** SUBACK code for one filter (default: the QoS asked for). */
  readonly subackFor?: (filter: string, qos: number) => number;
  /** CONNACK's `sessionPresent` for the `number`th connection (default false). */
  readonly sessionPresent?: (number: number) => boolean;
  /** Packets written in the same write as CONNACK. */
  readonly behindConnack?: (link: ScriptedLink) => Record<string, unknown>[];
  /** Packets written in the same write as each SUBACK. */
  readonly behindSuback?: (link: ScriptedLink) => Record<string, unknown>[];
  /** Answers a client packet instead of the default when it returns packets (e.g. a wrong ack). */
  readonly answer?: (packet: Packet, link: ScriptedLink) => Record<string, unknown>[] | undefined;
}

export interface ScriptedServer {
  readonly port: number;
  /** CONNECTs accepted so far. */
  readonly connects: number;
  /** Every connection so far, oldest first. */
  readonly links: readonly ScriptedLink[];
  /** Resolves with the first packet (from any connection, past or future) matching `match`. */
  until(match: (packet: Packet, link: ScriptedLink) => boolean): Promise<Packet>;
  /** Sends a server DISCONNECT with `reasonCode` to every live connection, then ends them. */
  disconnectAll(reasonCode: number, reasonString: string): void;
  stop(): Promise<void>;
}

/** Starts the server; a function argument is `pubackFor` (the original MQTT 5 form). */
export async function startScriptedServer(
  scriptOrPubackFor: Script | ((topic: string) => number) = {},
): Promise<ScriptedServer> {
  const script: Script = typeof scriptOrPubackFor === 'function' ? { pubackFor: scriptOrPubackFor } : scriptOrPubackFor;
  const version = { protocolVersion: script.protocolVersion ?? 5 };
  const sockets = new Set<Socket>();
  const links: ScriptedLink[] = [];
  const waiters: { match: (packet: Packet, link: ScriptedLink) => boolean; resolve: (p: Packet) => void }[] = [];
  const encode = (packets: Record<string, unknown>[]): Buffer =>
    Buffer.concat(packets.map((packet) => mqttPacket.generate(packet as unknown as Packet, version)));

  const server = createServer((socket) => {
    socket.setNoDelay(true);
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    const received: Packet[] = [];
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    let link: ScriptedLink | undefined;
    const makeLink = (): ScriptedLink => {
      const made: ScriptedLink = {
        number: links.length + 1,
        received,
        send: (...packets) => void socket.write(encode(packets)),
        sendRaw: (bytes) => void socket.write(bytes),
        destroy: () => socket.destroy(),
        closed,
      };
      links.push(made);
      return made;
    };
    const parser = mqttPacket.parser(version);
    parser.on('error', () => socket.destroy());
    parser.on('packet', (packet: Packet) => {
      received.push(packet);
      if (packet.cmd === 'connect') link = makeLink();
      if (link === undefined) return;
      const current = link;
      for (const waiter of [...waiters])
        if (waiter.match(packet, current)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(packet);
        }
      answer(packet, current);
    });
    const answer = (packet: Packet, current: ScriptedLink): void => {
      const scripted = script.answer?.(packet, current);
      if (scripted !== undefined) {
        current.send(...scripted);
        return;
      }
      switch (packet.cmd) {
        case 'connect': {
          const sessionPresent = script.sessionPresent?.(current.number) ?? false;
          const connack =
            version.protocolVersion === 5
              ? { cmd: 'connack', sessionPresent, reasonCode: 0 }
              : { cmd: 'connack', sessionPresent, returnCode: 0 };
          current.send(connack, ...(script.behindConnack?.(current) ?? []));
          break;
        }
        case 'subscribe': {
          const granted = packet.subscriptions.map((s) => script.subackFor?.(s.topic, s.qos) ?? s.qos);
          current.send(
            { cmd: 'suback', messageId: packet.messageId, granted },
            ...(script.behindSuback?.(current) ?? []),
          );
          break;
        }
        case 'publish':
          if (packet.qos === 1)
            current.send({
              cmd: 'puback',
              messageId: packet.messageId,
              ...(version.protocolVersion === 5 ? { reasonCode: script.pubackFor?.(packet.topic) ?? 0 } : {}),
            });
          break;
        case 'pingreq':
          current.send({ cmd: 'pingresp' });
          break;
        case 'disconnect':
          socket.end();
          break;
        default:
          break;
      }
    };
    socket.on('data', (chunk: Buffer) => parser.parse(chunk));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    get connects() {
      return links.length;
    },
    links,
    until(match) {
      for (const link of links) {
        const found = link.received.find((packet) => match(packet, link));
        if (found !== undefined) return Promise.resolve(found);
      }
      return new Promise((resolve) => waiters.push({ match, resolve }));
    },
    disconnectAll(reasonCode, reasonString) {
      for (const socket of sockets) {
        socket.write(encode([{ cmd: 'disconnect', reasonCode, properties: { reasonString } }]));
        socket.end();
      }
    },
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
