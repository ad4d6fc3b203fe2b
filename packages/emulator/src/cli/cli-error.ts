/**
 * How the `webcomm` CLI fails: one line on stderr (`webcomm: …`), or with `--json` one object
 * `{"error": {"code", "message"}}`, and an exit status a script can branch on. The statuses follow
 * mosquitto_sub/mosquitto_pub where they overlap (27: `listen --timeout` ran out).
 */

/** Exit statuses, documented in docs/emulator.md ("The CLI"). */
export const EXIT = {
  ok: 0,
  /** Anything else: a port in use, a file that cannot be read or written. */
  failed: 1,
  /** Bad usage (unknown option, missing argument, bad value), or no running emulator found. */
  usage: 2,
  /** The emulator or its broker cannot be reached. */
  unreachable: 3,
  /** The service API refused the request (its error code is printed). */
  refused: 4,
  /** `listen --timeout` passed before `--count` messages arrived (mosquitto_sub's 27). */
  timeout: 27,
} as const;

/** A failure the CLI reports as one line (or one JSON object) and a non-zero exit status. */
export class CliError extends Error {
  /** Stable code: `USAGE`, `NO_EMULATOR`, `UNREACHABLE`, `PORT_IN_USE`, `TIMEOUT`, …, or the service API's code. */
  readonly code: string;
  readonly exitCode: number;

  constructor(code: string, message: string, exitCode: number = EXIT.failed) {
    super(message);
    this.name = 'CliError';
    this.code = code;
    this.exitCode = exitCode;
  }
}

/** Prints a failure on stderr, as text or as `{"error": {"code", "message"}}` with `--json`. */
export function reportError(error: CliError, json: boolean): void {
  if (json) process.stderr.write(`${JSON.stringify({ error: { code: error.code, message: error.message } })}\n`);
  else process.stderr.write(`webcomm: ${error.message}\n`);
}
