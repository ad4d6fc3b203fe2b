/**
 * Token buckets per identity for the validating publish API: `burst` requests at once, then
 * `perSecond` on average. Time comes from an injectable clock so tests never sleep.
 */

/** Settings of the `RateLimiter` (token buckets). */
export interface RateLimit {
  /** Requests allowed at once. @default 10 */
  readonly burst: number;
  /** Sustained requests per second. @default 2 */
  readonly perSecond: number;
}

/** Default client publish rate. */
export const DEFAULT_RATE_LIMIT: RateLimit = { burst: 10, perSecond: 2 };

/** Outcome of {@link RateLimiter.take}. */
export type RateDecision = { readonly allowed: true } | { readonly allowed: false; readonly retryAfterMs: number };

interface Bucket {
  tokens: number;
  at: number;
}

/** One token bucket per key; idle full buckets are forgotten so memory stays bounded. */
export class RateLimiter {
  readonly #limit: RateLimit;
  readonly #now: () => number;
  readonly #buckets = new Map<string, Bucket>();

  constructor(limit: RateLimit = DEFAULT_RATE_LIMIT, now: () => number = Date.now) {
    if (!(limit.burst >= 1) || !(limit.perSecond > 0))
      throw new RangeError('rate limit: burst must be ≥ 1 and perSecond > 0');
    this.#limit = limit;
    this.#now = now;
  }

  /** Takes one token for `key`, or says how long until one is available. */
  take(key: string): RateDecision {
    const now = this.#now();
    const bucket = this.#buckets.get(key) ?? { tokens: this.#limit.burst, at: now };
    bucket.tokens = Math.min(this.#limit.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.#limit.perSecond);
    bucket.at = now;
    this.#forgetFullBuckets(now);
    if (bucket.tokens < 1) {
      this.#buckets.set(key, bucket);
      return { allowed: false, retryAfterMs: Math.ceil(((1 - bucket.tokens) / this.#limit.perSecond) * 1000) };
    }
    bucket.tokens -= 1;
    this.#buckets.set(key, bucket);
    return { allowed: true };
  }

  /** Number of buckets held (for tests of the memory bound). */
  get size(): number {
    return this.#buckets.size;
  }

  #forgetFullBuckets(now: number): void {
    if (this.#buckets.size < 1024) return;
    const refillMs = (this.#limit.burst / this.#limit.perSecond) * 1000;
    for (const [key, bucket] of this.#buckets) if (now - bucket.at >= refillMs) this.#buckets.delete(key);
  }
}
