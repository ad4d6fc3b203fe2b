/** Small HTTP helpers of the service routes: JSON bodies with a size limit, JSON answers, bearer tokens. */
import { timingSafeEqual, createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ServiceErrorBody } from '@webcomm/core';

/** An answer to send as `{error: {code, message}}` with an HTTP status. */
export class HttpProblem extends Error {
  readonly status: number;
  readonly code: string;
  readonly headers: Readonly<Record<string, string>>;

  constructor(status: number, code: string, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.name = 'HttpProblem';
    this.status = status;
    this.code = code;
    this.headers = headers;
  }
}

/** Sends `body` as JSON. */
export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
  response.end(JSON.stringify(body));
}

/** Sends a {@link ServiceErrorBody}. */
export function sendProblem(response: ServerResponse, problem: HttpProblem): void {
  const body: ServiceErrorBody = { error: { code: problem.code, message: problem.message } };
  sendJson(response, problem.status, body, { ...problem.headers });
}

/**
 * Reads a JSON body of at most `maxBytes`: 413 `PAYLOAD_TOO_LARGE` beyond it (reading stops at
 * once), 400 `BAD_JSON` when it does not parse, 415 when it is declared as something else.
 */
export async function readJson(request: IncomingMessage, maxBytes: number): Promise<unknown> {
  const type = request.headers['content-type'];
  if (type !== undefined && !/^application\/(?:[\w.+-]*\+)?json\b/i.test(type)) {
    throw new HttpProblem(415, 'UNSUPPORTED_MEDIA_TYPE', `Send JSON with content-type application/json (got ${type}).`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) {
      request.destroy();
      throw new HttpProblem(413, 'PAYLOAD_TOO_LARGE', `The request body is over ${maxBytes} bytes; send less (e.g. a URL to the content).`);
    }
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HttpProblem(400, 'BAD_JSON', 'The request body is not valid JSON.');
  }
}

/** The bearer token of a request, or undefined. */
export function bearerToken(request: IncomingMessage): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
  return match?.[1];
}

/** Constant-time comparison of a presented secret with the expected one. */
export function secretMatches(presented: string | undefined, expected: string): boolean {
  if (presented === undefined) return false;
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** Byte length of a value serialised as JSON. */
export function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8');
}
