/**
 * A tiny real-TCP {@link Transport} for tests: `net.connect` with TCP_NODELAY, like the node
 * adapter's transports but without TLS. Counts `open()` calls so tests can see each attempt.
 */
import type { Transport, TransportLink } from '@webcomm/core';
import { connect } from 'node:net';

export interface TcpTestTransport extends Transport {
  /** Number of `open()` calls so far. */
  readonly opens: number;
  /** Change where the next attempts connect. */
  port: number;
}

export function tcpTransport(
  port: number,
  credentials: { username?: string; password?: string } = {},
): TcpTestTransport {
  let opens = 0;
  const transport: TcpTestTransport = {
    name: 'tcp-test',
    port,
    get opens() {
      return opens;
    },
    async open(context): Promise<TransportLink> {
      opens += 1;
      const socket = connect({ host: '127.0.0.1', port: transport.port, noDelay: true });
      // Fail the attempt fast when the port is closed instead of letting MQTT.js wait.
      await new Promise<void>((resolve, reject) => {
        const onAbort = (): void => {
          socket.destroy();
          reject(context.signal.reason);
        };
        const onError = (error: Error): void => {
          context.signal.removeEventListener('abort', onAbort);
          reject(error);
        };
        socket.once('connect', () => {
          socket.off('error', onError);
          context.signal.removeEventListener('abort', onAbort);
          resolve();
        });
        socket.once('error', onError);
        context.signal.addEventListener('abort', onAbort, { once: true });
      });
      return { stream: socket, endpoint: `tcp://127.0.0.1:${transport.port}`, ...credentials };
    },
  };
  return transport;
}
