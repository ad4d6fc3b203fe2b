import type { CloseSignal } from '../util/close-signal.js';
import { withDeadline } from '../util/deadline.js';
import { ERROR_CODES, WebcommError } from '../errors.js';
import type { ResolvedOptions } from '../options.js';

/** Refusals that a ban also causes; worth asking the service about. */
const REFUSALS = new Set<string>([
  ERROR_CODES.NOT_AUTHORIZED,
  ERROR_CODES.BAD_CREDENTIALS,
  ERROR_CODES.CERTIFICATE_REJECTED,
]);

/** How long the service may take to answer before the refusal is reported as it was. */
const CHECK_TIMEOUT_MS = 5_000;

/**
 * Tells a ban from other refusals. A broker refusal may be a ban: a client that knows its
 * service asks it (`statusCheck`) and fails with `BANNED` when the service says so. It asks on a
 * refusal it can see (not authorized, credentials or certificate rejected, a kick), and once per outage
 * when the second attempt in a row fails with a network error: browsers hide a refused WebSocket
 * upgrade (403) as a network failure. Anything else, or a check that fails, keeps the error.
 */
export class BanDetector {
  readonly #o: Pick<ResolvedOptions, 'statusCheck' | 'clientId' | 'clock' | 'logger'>;
  readonly #closing: CloseSignal<WebcommError>;
  #askedThisOutage = false;

  constructor(
    options: Pick<ResolvedOptions, 'statusCheck' | 'clientId' | 'clock' | 'logger'>,
    closing: CloseSignal<WebcommError>,
  ) {
    this.#o = options;
    this.#closing = closing;
  }

  /** A link is up: the next outage may ask again. */
  linkUp(): void {
    this.#askedThisOutage = false;
  }

  /** The error to report for attempt `attempt` failing with `error`: `BANNED` when the service says so. */
  async explain(error: WebcommError, attempt: number): Promise<WebcommError> {
    const check = this.#o.statusCheck;
    if (check === undefined) return error;
    // A kick (MQTT 5 DISCONNECT 0x98) is how a ban ends a live link.
    const visible = (error.fatal && REFUSALS.has(error.code)) || error.code === ERROR_CODES.KICKED;
    const hidden = !error.fatal && error.code === ERROR_CODES.NETWORK && attempt >= 3 && !this.#askedThisOutage;
    if (!visible && !hidden) return error;
    if (hidden) this.#askedThisOutage = true;
    try {
      const status = await withDeadline('Checking the client status', check, {
        clock: this.#o.clock,
        timeoutMs: CHECK_TIMEOUT_MS,
        signals: [],
        closing: this.#closing,
      });
      if (status !== 'banned') return error;
      return new WebcommError(
        ERROR_CODES.BANNED,
        `The service says client "${this.#o.clientId}" is banned (the broker refused it: ${error.message}). ` +
          'Nothing to retry: the client stays in "failed" until connect() is called again after an unban.',
        { fatal: true, cause: error },
      );
    } catch (checkError) {
      this.#o.logger.debug('status check failed', { error: (checkError as WebcommError).message });
      return error;
    }
  }
}
