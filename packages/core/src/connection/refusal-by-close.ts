/**
 * The refusal-by-close rule, one for SUBSCRIBEs and QoS 1 publishes alike. IoT Core on MQTT
 * 3.1.1 refuses a filter or a topic outside the policy by closing the connection, not with a
 * failure code; sending the request again on every link would loop forever and keep everything
 * else from getting through.
 *
 * A request still unanswered when the broker closes the link, sent within
 * {@link REFUSAL_WINDOW_MS} before the close, is a suspect and gets a strike. Struck requests are
 * sent apart on the next links (with one strike together, with two alone). A suspect is refused
 * when a close strikes it while it was the only suspect on the link (its second strike or later),
 * or at {@link MAX_STRIKES} in any case: a refused request costs at most 2 link drops when the
 * others are innocent, and never more than {@link MAX_STRIKES}. A plain network failure that
 * happens to hit a fresh lone request twice in a row looks the same: the price of not looping.
 */
export const MAX_STRIKES = 3;

/** A close later than this after a request is not taken as its refusal (IoT Core closes at once). */
export const REFUSAL_WINDOW_MS = 2_000;

/** True when a request sent at `sentAt` is a suspect of a close at `closedAt`. */
export function withinRefusalWindow(sentAt: number, closedAt: number): boolean {
  return closedAt - sentAt <= REFUSAL_WINDOW_MS;
}

/**
 * One more strike for a suspect that had `strikes`, at a close with `suspects` suspects in all
 * (SUBSCRIBEs and publishes together): its new count, and whether it is now refused.
 */
export function strikeOnClose(strikes: number, suspects: number): { strikes: number; refused: boolean } {
  const next = strikes + 1;
  return { strikes: next, refused: (suspects === 1 && next >= 2) || next >= MAX_STRIKES };
}
