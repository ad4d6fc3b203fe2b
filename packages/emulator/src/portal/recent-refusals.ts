/**
 * The last refusals, for the portal's "Refusals" table: what the emulator refused (a CONNECT, an
 * upgrade, a SUBSCRIBE, a PUBLISH) and why, which a client never learns. A fixed-size ring, so
 * memory stays bounded whatever clients send; a refusal holds no secret.
 */
import type { Refusal } from '../refusal-events.js';

/** A refusal with the time it happened. */
export interface RecordedRefusal extends Refusal {
  /** ISO 8601. */
  readonly at: string;
}

/** Keeps the newest `capacity` refusals. */
export class RecentRefusals {
  readonly #capacity: number;
  readonly #entries: RecordedRefusal[] = [];

  constructor(capacity = 100) {
    this.#capacity = capacity;
  }

  /** Records `refusal` (dropping the oldest when full). */
  add(refusal: Refusal, at: Date = new Date()): void {
    this.#entries.push({ ...refusal, at: at.toISOString() });
    if (this.#entries.length > this.#capacity) this.#entries.shift();
  }

  /** Newest first. */
  list(): RecordedRefusal[] {
    return [...this.#entries].reverse();
  }
}
