/** The emulator's HTTP helpers (service, admin, portal and Cognito routes): JSON bodies with limits, JSON answers, bearer tokens. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ServiceErrorBody } from '@webcomm/core';
import {
  assertJsonContentType,
  bearerToken as bearerOf,
  HttpProblem,
  parseJsonText,
  secretMatches,
} from '@webcomm/service';

// The service's own problem class and secret comparison: one of each for both homes of the routes.
export { HttpProblem, secretMatches };

/** Sends `body` as JSON. */
export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
  response.end(JSON.stringify(body));
}

/** Sends a {@link ServiceErrorBody}. */
export function sendProblem(response: ServerResponse, problem: HttpProblem): void {
  const body: ServiceErrorBody = { error: { code: problem.code, message: problem.message } };
  sendJson(response, problem.status, body, { ...problem.headers });
}

/** Bytes of an oversized body the server still reads (and drops) so the client can read its 413. */
const DISCARD_LIMIT_BYTES = 32 * 1_048_576;

/** Options of {@link readJson}. */
export interface ReadJsonOptions {
  /** Accepted `content-type` values (an absent header is accepted). @default application/json and `application/*+json` */
  readonly contentType?: RegExp;
}

/**
 * After a 413 the rest of the body is read and dropped, up to {@link DISCARD_LIMIT_BYTES}: closing
 * a socket with unread bytes sends a TCP reset, and the client would see ECONNRESET instead of
 * the answer. Past the limit (or when the declared length is past it) the socket is closed.
 */
function discardRest(request: IncomingMessage): void {
  let dropped = 0;
  request.on('data', (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > DISCARD_LIMIT_BYTES) request.socket.destroy();
  });
  request.resume();
}

function tooLarge(request: IncomingMessage, maxBytes: number): HttpProblem {
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > DISCARD_LIMIT_BYTES) {
    // Too much to drain: answer, then close once the answer is out.
    return new HttpProblem(
      413,
      'PAYLOAD_TOO_LARGE',
      `The request body is over ${maxBytes} bytes; send less (e.g. a URL to the content).`,
      { connection: 'close' },
    );
  }
  discardRest(request);
  return new HttpProblem(
    413,
    'PAYLOAD_TOO_LARGE',
    `The request body is over ${maxBytes} bytes; send less (e.g. a URL to the content).`,
  );
}

/** The raw body, or a 413 problem once it passes `maxBytes` (checked as bytes arrive, drained as {@link readJson} does). */
export function readBody(request: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    if (Number(request.headers['content-length'] ?? 0) > maxBytes) {
      reject(tooLarge(request, maxBytes));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = (): void => {
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onError);
      request.off('close', onClose);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size <= maxBytes) {
        chunks.push(chunk);
        return;
      }
      stop();
      chunks.length = 0;
      reject(tooLarge(request, maxBytes));
    };
    const onEnd = (): void => {
      stop();
      resolve(Buffer.concat(chunks));
    };
    const onError = (error: Error): void => {
      stop();
      reject(new HttpProblem(400, 'BAD_REQUEST', `The request body could not be read: ${error.message}.`));
    };
    const onClose = (): void => {
      if (request.complete) return;
      stop();
      reject(new HttpProblem(400, 'BAD_REQUEST', 'The request body ended early.'));
    };
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('error', onError);
    request.on('close', onClose);
  });
}

/**
 * Reads a JSON body of at most `maxBytes`, the one reader of every route (service, admin,
 * Cognito): 413 `PAYLOAD_TOO_LARGE` beyond it, answered before the socket closes; 415
 * `UNSUPPORTED_MEDIA_TYPE` when declared as something else; 400 `JSON_TOO_DEEP` past
 * 64 levels (`MAX_JSON_DEPTH`); 400 `BAD_JSON` when it does not parse. An empty body is `{}`.
 */
export async function readJson(
  request: IncomingMessage,
  maxBytes: number,
  options: ReadJsonOptions = {},
): Promise<unknown> {
  try {
    assertJsonContentType(request.headers['content-type'], options.contentType);
  } catch (problem) {
    discardRest(request);
    throw problem;
  }
  return parseJsonText((await readBody(request, maxBytes)).toString('utf8'));
}

/** The bearer token of a request, or undefined. */
export function bearerToken(request: IncomingMessage): string | undefined {
  return bearerOf(request.headers.authorization);
}
