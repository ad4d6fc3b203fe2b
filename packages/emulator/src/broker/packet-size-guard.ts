/**
 * Reads MQTT fixed headers as bytes arrive and refuses a packet whose declared remaining length
 * is over the cap, before anything buffers it. mqtt-packet (aedes' parser) keeps every byte of an
 * unfinished packet: one CONNECT declaring 256 MB grew the process by 257 MB. This sees only
 * the header (1 type byte, 1-4 length bytes) and skips bodies by counting, so it costs no copy.
 */

/** The outcome of feeding bytes: fine so far, or why the stream must be closed. */
export type GuardVerdict = { readonly ok: true } | { readonly ok: false; readonly problem: string };

const OK: GuardVerdict = { ok: true };

/** One stream's packet boundaries (incremental, pure: no I/O). */
export class PacketSizeGuard {
  #state: 'type' | 'length' | 'body' = 'type';
  #declared = 0;
  #multiplier = 1;
  #lengthBytes = 0;
  #remaining = 0;
  #refused: GuardVerdict | undefined;

  /** @param maxRemainingLength the largest remaining length (bytes after the fixed header) accepted */
  readonly #maxRemainingLength: number;

  constructor(maxRemainingLength: number) {
    this.#maxRemainingLength = maxRemainingLength;
  }

  /** Feeds the next bytes of the stream; once it has refused, every later call refuses too. */
  feed(chunk: Uint8Array): GuardVerdict {
    if (this.#refused !== undefined) return this.#refused;
    let at = 0;
    while (at < chunk.length) {
      if (this.#state === 'body') {
        const take = Math.min(this.#remaining, chunk.length - at);
        at += take;
        this.#remaining -= take;
        if (this.#remaining === 0) this.#state = 'type';
        continue;
      }
      const byte = chunk[at++] ?? 0;
      if (this.#state === 'type') {
        this.#state = 'length';
        this.#declared = 0;
        this.#multiplier = 1;
        this.#lengthBytes = 0;
        continue;
      }
      this.#declared += (byte & 0x7f) * this.#multiplier;
      this.#multiplier *= 128;
      this.#lengthBytes++;
      // The sum so far is a lower bound of the length: refuse as soon as it is over.
      if (this.#declared > this.#maxRemainingLength)
        return this.#refuse(
          `packet declares ${this.#declared}+ bytes, over the ${this.#maxRemainingLength}-byte limit`,
        );
      if ((byte & 0x80) !== 0) {
        if (this.#lengthBytes === 4) return this.#refuse('malformed remaining length (more than 4 bytes)');
        continue;
      }
      this.#remaining = this.#declared;
      this.#state = this.#remaining === 0 ? 'type' : 'body';
    }
    return OK;
  }

  #refuse(problem: string): GuardVerdict {
    this.#refused = { ok: false, problem };
    return this.#refused;
  }
}
