/**
 * The plain MQTT listener (1883 in the CLI): IoT Core has none, so connections here carry no
 * transport identity and must authenticate in CONNECT (custom authorizer or anonymous).
 */
import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import type { ConnectionGate } from '../broker/connection-gate.js';
import type { LiveSessions } from '../broker/live-sessions.js';
import { guardConnection } from '../http/fail-closed.js';
import type { Logger } from '../logger.js';

/** Creates the TCP server; it is not listening yet. */
export function createMqttTcpServer(deps: { gate: ConnectionGate; sessions: LiveSessions; logger: Logger }): Server {
  const { gate, sessions, logger } = deps;
  return createServer(
    { noDelay: true },
    guardConnection(
      (socket: Socket) => {
        socket.setNoDelay(true);
        socket.on('error', () => socket.destroy());
        const ipAddress = socket.remoteAddress ?? 'unknown';
        sessions.attach(socket, { transport: 'tcp', ipAddress, kind: 'none' });
        gate.handle(socket, ipAddress, 'tcp');
      },
      logger,
      'mqtt',
    ),
  );
}
