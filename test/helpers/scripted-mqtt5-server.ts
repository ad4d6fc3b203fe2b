/**
 * A minimal MQTT 5 server on a real TCP socket, scripted by the test, for the reason codes no
 * broker here sends on demand: PUBACK 0x97 (quota exceeded) and server DISCONNECTs 0x97, 0x8B
 * and 0x8D. It speaks the wire through `mqtt-packet` (MQTT.js's own codec), accepts every
 * CONNECT and SUBSCRIBE, and answers a QoS 1 PUBLISH with the reason code `pubackFor` gives.
 */
import { createServer, type AddressInfo, type Socket } from 'node:net';
import mqttPacket, { type Packet } from 'mqtt-packet';

export interface ScriptedServer {
  readonly port: number;
  /** CONNECTs accepted so far. */
  readonly connects: number;
  /** Sends a server DISCONNECT with `reasonCode` to every live connection, then ends them. */
  disconnectAll(reasonCode: number, reasonString: string): void;
  stop(): Promise<void>;
}

const V5 = { protocolVersion: 5 } as const;

export async function startScriptedServer(pubackFor: (topic: string) => number): Promise<ScriptedServer> {
  const sockets = new Set<Socket>();
  let connects = 0;
  const send = (socket: Socket, packet: Record<string, unknown>): void => {
    socket.write(mqttPacket.generate(packet as unknown as Packet, V5));
  };
  const server = createServer((socket) => {
    socket.setNoDelay(true);
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    const parser = mqttPacket.parser(V5);
    parser.on('error', () => socket.destroy());
    parser.on('packet', (packet: Packet) => {
      switch (packet.cmd) {
        case 'connect':
          connects += 1;
          send(socket, { cmd: 'connack', sessionPresent: false, reasonCode: 0 });
          break;
        case 'subscribe':
          send(socket, { cmd: 'suback', messageId: packet.messageId, granted: packet.subscriptions.map((s) => s.qos) });
          break;
        case 'publish':
          if (packet.qos === 1)
            send(socket, { cmd: 'puback', messageId: packet.messageId, reasonCode: pubackFor(packet.topic) });
          break;
        case 'pingreq':
          send(socket, { cmd: 'pingresp' });
          break;
        case 'disconnect':
          socket.end();
          break;
        default:
          break;
      }
    });
    socket.on('data', (chunk: Buffer) => parser.parse(chunk));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    get connects() {
      return connects;
    },
    disconnectAll(reasonCode, reasonString) {
      for (const socket of sockets) {
        send(socket, { cmd: 'disconnect', reasonCode, properties: { reasonString } });
        socket.end();
      }
    },
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
