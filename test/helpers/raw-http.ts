/** Raw bytes to an HTTP(S) listener and everything it answers, for requests `fetch` refuses to send. */
import { connect as netConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';

/** Where to send: a port on 127.0.0.1, over TLS when `ca` is given. */
export interface RawTarget {
  readonly port: number;
  /** PEM to trust: the connection is TLS (servername `localhost`). */
  readonly ca?: string;
}

/**
 * Sends `bytes`, half-closes, and resolves with every byte answered until the server closes
 * (an error after some bytes still resolves with them: the server may reset after answering).
 */
export function rawExchange(
  target: RawTarget,
  bytes: string | Buffer,
  options: { halfClose?: boolean } = {},
): Promise<string> {
  return new Promise((resolve) => {
    const socket =
      target.ca === undefined
        ? netConnect({ host: '127.0.0.1', port: target.port })
        : tlsConnect({ host: '127.0.0.1', port: target.port, ca: target.ca, servername: 'localhost' });
    const chunks: Buffer[] = [];
    const done = (): void => resolve(Buffer.concat(chunks).toString('latin1'));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.once('close', done);
    socket.on('error', () => undefined);
    socket.once(target.ca === undefined ? 'connect' : 'secureConnect', () => {
      socket.write(bytes);
      if (options.halfClose !== false) socket.end();
    });
  });
}

/** The status code of the first response line, or undefined when the server answered nothing HTTP. */
export function statusOf(answer: string): number | undefined {
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(answer);
  return match === null ? undefined : Number(match[1]);
}

/** A WebSocket upgrade request with the given target and Host header. */
export function upgradeRequest(target: string, host: string): string {
  return [
    `GET ${target} HTTP/1.1`,
    `Host: ${host}`,
    'Upgrade: websocket',
    'Connection: Upgrade',
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
    'Sec-WebSocket-Version: 13',
    'Sec-WebSocket-Protocol: mqtt',
    '',
    '',
  ].join('\r\n');
}
