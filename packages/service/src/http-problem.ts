/**
 * The one error every route of the service answers with: an HTTP status, a stable `code` users
 * match on (docs/troubleshooting.md lists each), a message saying what to do, and headers such
 * as `Retry-After`. Each platform turns it into its own response (`{error: {code, message}}`).
 */
export class HttpProblem extends Error {
  /** HTTP status, e.g. 403. */
  readonly status: number;
  /** Stable code, e.g. `"BANNED"`. */
  readonly code: string;
  /** Extra response headers. */
  readonly headers: Readonly<Record<string, string>>;

  constructor(status: number, code: string, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.name = 'HttpProblem';
    this.status = status;
    this.code = code;
    this.headers = headers;
  }
}
