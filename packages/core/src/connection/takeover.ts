import { ERROR_CODES, WebcommError } from '../errors.js';

/**
 * Tells a takeover from an ordinary drop. IoT Core and aedes drop the older of two connections
 * with one client ID, so two processes sharing an ID throw each other off in turn and every
 * link dies right after its CONNACK. The signature: two links in a row closed by the server
 * (a `NETWORK` error) within `windowMs` of connecting.
 */
export class TakeoverDetector {
  readonly #windowMs: number;
  /** When the current link got its CONNACK (clock ms). */
  #linkUpAt = 0;
  /** Links in a row the server closed within the window. */
  #quickDrops = 0;

  /** @param windowMs - how soon after CONNACK a server close counts as quick (`takeoverWindowMs`). */
  constructor(windowMs: number) {
    this.#windowMs = windowMs;
  }

  /** A link got its CONNACK at `now`. */
  linkUp(now: number): void {
    this.#linkUpAt = now;
  }

  /** How long the current (or last) link has been up at `now`. */
  upFor(now: number): number {
    return now - this.#linkUpAt;
  }

  /**
   * Counts a lost connected link. Returns how many quick drops came in a row when that looks
   * like a takeover (2 or more), otherwise undefined.
   */
  linkLost(error: WebcommError, now: number): number | undefined {
    const quick = error.code === ERROR_CODES.NETWORK && this.upFor(now) <= this.#windowMs;
    this.#quickDrops = quick ? this.#quickDrops + 1 : 0;
    return this.#quickDrops < 2 ? undefined : this.#quickDrops;
  }

  /**
   * The server said so (MQTT 5 DISCONNECT 0x8E): one more takeover in a row, no guessing.
   * Returns how many came in a row.
   */
  confirmed(): number {
    this.#quickDrops += 1;
    return this.#quickDrops;
  }

  /** A link ended for another reason: the run of takeovers is over. */
  reset(): void {
    this.#quickDrops = 0;
  }
}

/**
 * The fatal error a client with `onTakeover: 'stop'` stops with: `confirmed` when the server
 * said so (MQTT 5 DISCONNECT 0x8E), otherwise after {@link TakeoverDetector} saw the pattern.
 */
export function takenOverError(cause: WebcommError, clientId: string, confirmed: boolean): WebcommError {
  const message = confirmed
    ? `${cause.message} Stopped (onTakeover: 'stop').`
    : `Another connection with client ID "${clientId}" keeps taking this one over; stopped. Give every process its own client ID.`;
  return new WebcommError(ERROR_CODES.TAKEN_OVER, message, { fatal: true, cause });
}
