import { connect } from 'node:net';
import { type Transport } from '@webcomm/core';
import { assertKnownOptions, optionKeys } from '@webcomm/core/internal'; // internal: assertKnownOptions, optionKeys
import { classifySocketError } from './classify-socket-error.js';
import { socketReady } from './open-socket.js';

/** Options of {@link tcpTransport}. */
export interface TcpTransportOptions {
  readonly host: string;
  readonly port: number;
  /** CONNECT username, if the broker wants one. */
  readonly username?: string;
  /** CONNECT password. Never logged. */
  readonly password?: string;
}

/**
 * Plain MQTT over TCP, for development against the emulator or a local broker only: nothing is
 * encrypted. TCP_NODELAY is on (with Nagle, small publishes wait for ACKs: a 38 ms p99.9 tail).
 */
export function tcpTransport(options: TcpTransportOptions): Transport {
  assertKnownOptions(
    options,
    optionKeys<TcpTransportOptions>({ host: true, port: true, username: true, password: true }),
    'tcpTransport()',
  );
  const endpoint = `mqtt://${options.host}:${options.port}`;
  return {
    name: 'tcp',
    async open(context) {
      const socket = connect({ host: options.host, port: options.port, noDelay: true });
      await socketReady(socket, 'connect', context.signal);
      return {
        stream: socket,
        endpoint,
        ...(options.username === undefined ? {} : { username: options.username }),
        ...(options.password === undefined ? {} : { password: options.password }),
      };
    },
    classifyError: (error) => classifySocketError(error, endpoint),
  };
}
