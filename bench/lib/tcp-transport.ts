/**
 * `@webcomm/node`'s plain-TCP transport (TCP_NODELAY), wrapped to record when each attempt
 * started and keep the current socket (to pause reads in the latency benchmark).
 */
import type { Transport, TransportLink } from '@webcomm/core';
import { tcpTransport } from '@webcomm/node';
import type { Socket } from 'node:net';
import { wallNow } from './wall-clock.js';

export interface BenchTcpTransport extends Transport {
  /** {@link wallNow} of every `open()` call: one per connection attempt. */
  readonly attempts: number[];
  /** The socket of the latest attempt. */
  readonly socket: Socket | undefined;
}

export function benchTcpTransport(port: number): BenchTcpTransport {
  const inner = tcpTransport({ host: '127.0.0.1', port });
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
      const link = await inner.open(context);
      current = link.stream as Socket;
      return link;
    },
    classifyError: (error) => inner.classifyError?.(error),
  };
}
