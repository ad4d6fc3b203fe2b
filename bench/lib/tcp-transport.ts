/**
 * A plain-TCP {@link Transport} with TCP_NODELAY, as test/helpers/tcp-transport.ts and the node
 * adapter do (the adapter's transport adds TLS). Benchmarks use it until `@webcomm/node` lands;
 * it also records when each attempt started and keeps the current socket (to pause reads).
 */
import type { Transport, TransportLink } from '@webcomm/core';
import { connect, type Socket } from 'node:net';
import { wallNow } from './wall-clock.js';

export interface BenchTcpTransport extends Transport {
  /** {@link wallNow} of every `open()` call: one per connection attempt. */
  readonly attempts: number[];
  /** The socket of the latest attempt. */
  readonly socket: Socket | undefined;
}

export function benchTcpTransport(port: number): BenchTcpTransport {
  const attempts: number[] = [];
  let current: Socket | undefined;
  return {
    name: 'tcp-bench',
    attempts,
    get socket() {
      return current;
    },
    async open(context): Promise<TransportLink> {
      attempts.push(wallNow());
      const socket = connect({ host: '127.0.0.1', port, noDelay: true });
      current = socket;
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
      return { stream: socket, endpoint: `tcp://127.0.0.1:${port}` };
    },
  };
}
