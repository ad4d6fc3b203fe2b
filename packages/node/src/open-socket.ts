/**
 * Waits until a freshly created socket is connected (or its TLS handshake done), tearing it
 * down when the attempt is aborted, so the client never hands MQTT.js a socket that is not
 * usable yet.
 */
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';

/** Resolves on `readyEvent`; rejects on `error` or abort (destroying the socket). */
export function socketReady<S extends Socket | TLSSocket>(
  socket: S,
  readyEvent: 'connect' | 'secureConnect',
  signal: AbortSignal,
): Promise<S> {
  return new Promise<S>((resolve, reject) => {
    const cleanup = (): void => {
      socket.off(readyEvent, onReady);
      socket.off('error', onError);
      signal.removeEventListener('abort', onAbort);
    };
    const onReady = (): void => {
      cleanup();
      resolve(socket);
    };
    const onError = (error: Error): void => {
      cleanup();
      socket.destroy();
      reject(error);
    };
    const onAbort = (): void => {
      cleanup();
      socket.destroy();
      reject(signal.reason);
    };
    if (signal.aborted) return onAbort();
    socket.once(readyEvent, onReady);
    socket.once('error', onError);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
