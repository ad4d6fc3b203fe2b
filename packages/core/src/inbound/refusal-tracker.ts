import { strikeOnClose, withinRefusalWindow } from '../connection/refusal-by-close.js';

/**
 * Finds the SUBSCRIBE a broker refuses by closing the link, by the refusal-by-close rule
 * (`refusal-by-close.ts`, shared with the broker outbox's publishes): a link that closes while
 * SUBSCRIBEs are unanswered strikes their filters; a filter with a strike is never sent together
 * with others again: the next link restores the rest first, then tries it alone.
 */
/** What a link close meant for the filters that were in flight on it. */
export interface CloseVerdict {
  /** The close followed SUBSCRIBEs not yet answered (it may be their refusal). */
  readonly attributed: boolean;
  /** Filters now taken as refused, with the link drops each cost: remove them and tell the user. */
  readonly refused: readonly { readonly filter: string; readonly drops: number }[];
}

/** Filters in flight on the current link, and strikes per filter across links. */
export class RefusalTracker {
  /**
   * Filter → unanswered SUBSCRIBEs for it on the current link, and when the last was sent.
   * Both maps are made on first use: an idle client (most of them) has neither, and an empty
   * Map costs about 180 bytes.
   */
  #inFlight: Map<string, { count: number; sentAt: number }> | undefined;
  #strikes: Map<string, number> | undefined;

  /** A SUBSCRIBE for `filters` was sent on the current link at `now`. */
  sent(filters: readonly string[], now: number): void {
    const inFlight = (this.#inFlight ??= new Map());
    for (const f of filters) inFlight.set(f, { count: (inFlight.get(f)?.count ?? 0) + 1, sentAt: now });
  }

  /** Unanswered filters sent within the refusal window before `now`. */
  recent(now: number): number {
    let n = 0;
    for (const { sentAt } of this.#inFlight?.values() ?? []) if (withinRefusalWindow(sentAt, now)) n += 1;
    return n;
  }

  /** The broker answered (SUBACK) for `filters`: the link survived them. */
  answered(filters: readonly string[]): void {
    for (const f of filters) {
      const entry = this.#inFlight?.get(f);
      if (entry === undefined || entry.count <= 1) this.#inFlight?.delete(f);
      else entry.count -= 1;
      this.#strikes?.delete(f);
    }
    // Answered in full (the usual end of a SUBSCRIBE): an idle client keeps no empty map.
    if (this.#inFlight?.size === 0) this.#inFlight = undefined;
    if (this.#strikes?.size === 0) this.#strikes = undefined;
  }

  /** True when `filter` must be tried alone on the next link. */
  isSuspect(filter: string): boolean {
    return this.#strikes?.has(filter) ?? false;
  }

  /** The filter is gone (unsubscribed or refused): stop tracking it. */
  forget(filter: string): void {
    this.#strikes?.delete(filter);
    this.#inFlight?.delete(filter);
  }

  /**
   * The current link closed at `now`. `otherInFlight` counts other recent unanswered requests
   * on it (QoS 1 publishes): a SUBSCRIBE is alone only when nothing else was waiting.
   */
  linkClosed(now: number, otherInFlight: number): CloseVerdict {
    const filters = [...(this.#inFlight ?? [])]
      .filter(([, { sentAt }]) => withinRefusalWindow(sentAt, now))
      .map(([f]) => f);
    this.#inFlight?.clear();
    const refused: { filter: string; drops: number }[] = [];
    for (const f of filters) {
      const verdict = strikeOnClose(this.#strikes?.get(f) ?? 0, filters.length + otherInFlight);
      if (verdict.refused) {
        refused.push({ filter: f, drops: verdict.strikes });
        this.#strikes?.delete(f);
      } else {
        (this.#strikes ??= new Map()).set(f, verdict.strikes);
      }
    }
    return { attributed: filters.length > 0, refused };
  }

  /** A link closed that no request can explain (dead link, renewal): strikes stay, nothing is new. */
  linkReplaced(): void {
    this.#inFlight?.clear();
  }
}
