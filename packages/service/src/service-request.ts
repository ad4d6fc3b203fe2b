/**
 * A request and an answer of the service API as the route code sees them, with no platform in
 * them: the emulator builds one from a Node `IncomingMessage`, the Lambda handler from an API
 * Gateway HTTP API (payload 2.0) event. The body is read on demand (`readJson`), so a route
 * authenticates before it reads, and each route sets its own size limit.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { ServiceErrorBody } from '@webcomm/core';
import { HttpProblem } from './http-problem.js';
import { jsonDeeperThan, MAX_JSON_DEPTH } from './json-depth.js';

/** One request to the service API. */
export interface ServiceRequest {
  /** Upper-case method, e.g. `POST`. */
  readonly method: string;
  /** The path without its query, percent escapes kept (a route decodes its parameters after authenticating). */
  readonly path: string;
  readonly query: URLSearchParams;
  /** Headers by lower-case name. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** True when the request came over TLS (HTTPS). @default false */
  readonly secure?: boolean;
  /** The caller's address (IPv4-mapped IPv6 written as IPv4), for per-address rate limits. */
  readonly sourceAddress: string;
  /** Who the platform authenticated before the route code ran (AWS: the IAM caller of an `/admin` route), if anyone. */
  readonly principal?: string;
  /**
   * The body as JSON, at most `maxBytes`: the platform answers 413 `PAYLOAD_TOO_LARGE`, 415
   * `UNSUPPORTED_MEDIA_TYPE`, 400 `JSON_TOO_DEEP` / `BAD_JSON` by throwing an {@link HttpProblem}.
   * An empty body is `{}`.
   */
  readJson(maxBytes: number): Promise<unknown>;
}

/** One answer: a status, a JSON body and extra headers. */
export interface ServiceResponse {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** The answer for a problem: `{error: {code, message}}` with its status and headers. */
export function problemResponse(problem: HttpProblem): ServiceResponse {
  const body: ServiceErrorBody = { error: { code: problem.code, message: problem.message } };
  return { status: problem.status, body, headers: problem.headers };
}

/** The bearer token of an `Authorization` header value, or undefined. */
export function bearerToken(authorization: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
  return match?.[1];
}

/** Constant-time comparison of a presented secret with the expected one. */
export function secretMatches(presented: string | undefined, expected: string): boolean {
  if (presented === undefined) return false;
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** JSON content types: `application/json` and `application/*+json`. */
const JSON_TYPE = /^application\/(?:[\w.+-]*\+)?json\b/i;

/**
 * Throws 415 `UNSUPPORTED_MEDIA_TYPE` unless `contentType` is absent or matches `accept`
 * (JSON by default; the Cognito API takes `application/x-amz-json-1.1`).
 */
export function assertJsonContentType(contentType: string | undefined, accept: RegExp = JSON_TYPE): void {
  if (contentType !== undefined && !accept.test(contentType)) {
    throw new HttpProblem(
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      `Send JSON with content-type application/json (got ${contentType.slice(0, 64)}).`,
    );
  }
}

/** Parses a body text within the size limit: `{}` when empty, 400 `JSON_TOO_DEEP` past {@link MAX_JSON_DEPTH} levels, 400 `BAD_JSON` when it does not parse. */
export function parseJsonText(text: string): unknown {
  if (text.trim() === '') return {};
  if (jsonDeeperThan(text, MAX_JSON_DEPTH))
    throw new HttpProblem(
      400,
      'JSON_TOO_DEEP',
      `The request body nests deeper than ${MAX_JSON_DEPTH} levels; flatten it.`,
    );
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HttpProblem(400, 'BAD_JSON', 'The request body is not valid JSON.');
  }
}

/**
 * Parses a complete body text as the service's JSON (for platforms that hand over the whole body,
 * such as Lambda): the same checks and codes as the emulator's streaming reader.
 */
export function parseJsonBody(text: string, contentType: string | undefined, maxBytes: number): unknown {
  assertJsonContentType(contentType);
  if (Buffer.byteLength(text, 'utf8') > maxBytes)
    throw new HttpProblem(
      413,
      'PAYLOAD_TOO_LARGE',
      `The request body is over ${maxBytes} bytes; send less (e.g. a URL to the content).`,
    );
  return parseJsonText(text);
}
