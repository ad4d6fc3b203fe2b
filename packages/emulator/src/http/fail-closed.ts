/**
 * Every HTTP request and WebSocket upgrade handler runs inside one of these guards: a throw or
 * a rejection, sync or async, answers that one request (500, or a closed socket when the answer
 * had started) and is logged; the process and the other connections never see it.
 */
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from '../logger.js';
import { HttpProblem, sendProblem } from '../service/http-io.js';

/** A request handler that may throw or reject. */
export type RequestHandler = (request: IncomingMessage, response: ServerResponse) => unknown;
/** An `upgrade` handler that may throw or reject. */
export type UpgradeHandler = (request: IncomingMessage, socket: Duplex, head: Buffer) => unknown;

function describe(request: IncomingMessage): string {
  // Only the path: a query may carry a signature or a token.
  return `${request.method ?? '?'} ${(request.url ?? '').split('?')[0] ?? ''}`;
}

/** Wraps a request handler so a failure answers 500 `INTERNAL` on that request only. */
export function guardRequest(
  handler: RequestHandler,
  logger: Logger,
): (request: IncomingMessage, response: ServerResponse) => void {
  return (request, response) => {
    const fail = (error: unknown): void => {
      logger.error(`http ${describe(request)}: ${(error as Error)?.message ?? String(error)}`);
      try {
        if (response.headersSent) {
          response.destroy();
          return;
        }
        sendProblem(
          response,
          new HttpProblem(500, 'INTERNAL', 'Internal error; the emulator log says more.', { connection: 'close' }),
        );
      } catch {
        response.destroy();
      }
    };
    try {
      Promise.resolve(handler(request, response)).catch(fail);
    } catch (error) {
      fail(error);
    }
  };
}

/** Writes a complete HTTP error answer with a JSON body on a raw socket and closes it. */
export function answerSocket(socket: Duplex, status: number, body: object): void {
  if (socket.destroyed) return;
  const text = JSON.stringify(body);
  try {
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
    );
  } catch {
    socket.destroy();
  }
}

/** Wraps an upgrade handler so a failure answers 500 on that socket only and closes it. */
export function guardUpgrade(
  handler: UpgradeHandler,
  logger: Logger,
  transport: string,
): (request: IncomingMessage, socket: Duplex, head: Buffer) => void {
  return (request, socket, head) => {
    socket.on('error', () => socket.destroy());
    const fail = (error: unknown): void => {
      logger.error(`${transport} upgrade ${describe(request)} failed: ${(error as Error)?.message ?? String(error)}`);
      answerSocket(socket, 500, { message: 'Internal error' });
    };
    try {
      Promise.resolve(handler(request, socket, head)).catch(fail);
    } catch (error) {
      fail(error);
    }
  };
}

/** Wraps a raw connection handler (MQTT over TCP or TLS) so a throw closes that socket only. */
export function guardConnection<S extends { destroy(): void }>(
  handler: (socket: S) => void,
  logger: Logger,
  listener: string,
): (socket: S) => void {
  return (socket) => {
    try {
      handler(socket);
    } catch (error) {
      logger.error(`${listener} connection setup failed: ${(error as Error)?.message ?? String(error)}`);
      socket.destroy();
    }
  };
}
