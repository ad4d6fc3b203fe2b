import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_BACKOFF, backoffDelay, type BackoffOptions } from './backoff.js';

const options = (over: Partial<BackoffOptions> = {}): BackoffOptions => ({ ...DEFAULT_BACKOFF, ...over });

describe('backoffDelay (full jitter)', () => {
  it('grows the ceiling exponentially from the initial delay', () => {
    const o = options({ initialDelayMs: 100, maxDelayMs: 10_000 });
    expect(backoffDelay(1, 0, o, 0.999_999)).toBe(99);
    expect(backoffDelay(2, 0, o, 0.999_999)).toBe(199);
    expect(backoffDelay(4, 0, o, 0.999_999)).toBe(799);
    expect(backoffDelay(3, 0, o, 0.5)).toBe(200);
  });

  it('caps the ceiling and keeps jitter at the cap', () => {
    const o = options({ initialDelayMs: 100, maxDelayMs: 1000 });
    expect(backoffDelay(50, 0, o, 0.999_999)).toBe(999);
    expect(backoffDelay(50, 0, o, 0.1)).toBe(100);
    expect(backoffDelay(5000, 0, o, 0.5)).toBe(500);
  });

  it('stays within [0, min(cap, base·m^(n-1))] for any input', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 1, max: 60_000 }),
        fc.integer({ min: 1, max: 600_000 }),
        fc.double({ min: 1, max: 4, noNaN: true }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempt, base, cap, multiplier, random) => {
          const o = options({ initialDelayMs: base, maxDelayMs: cap, multiplier });
          const d = backoffDelay(attempt, 0, o, random);
          expect(Number.isInteger(d)).toBe(true);
          expect(d).toBeGreaterThanOrEqual(0);
          expect(d).toBeLessThanOrEqual(Math.min(cap, base * multiplier ** (attempt - 1)));
        },
      ),
    );
  });

  it('spreads delays at the cap: distinct randoms give distinct delays', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 0.49, noNaN: true }),
        fc.double({ min: 0.51, max: 0.99, noNaN: true }),
        (r1, r2) => {
          const o = options({ initialDelayMs: 1000, maxDelayMs: 30_000 });
          expect(backoffDelay(100, 0, o, r1)).toBeLessThan(backoffDelay(100, 0, o, r2));
        },
      ),
    );
  });
});

describe('backoffDelay (decorrelated jitter)', () => {
  const o = options({ strategy: 'decorrelated-jitter', initialDelayMs: 100, maxDelayMs: 5000 });

  it('draws between the base and three times the previous delay', () => {
    expect(backoffDelay(1, 0, o, 0)).toBe(100);
    // The first retry spreads too (a fleet dropped together must not come back in step).
    expect(backoffDelay(1, 0, o, 0.5)).toBe(200);
    expect(backoffDelay(1, 0, o, 0.999_999)).toBe(299);
    expect(backoffDelay(2, 1000, o, 0.999_999)).toBe(2999);
    expect(backoffDelay(2, 1000, o, 0.5)).toBe(1550);
  });

  it('stays within [base, cap] and keeps jitter at the cap', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1000 }),
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempt, previous, random) => {
          const d = backoffDelay(attempt, previous, o, random);
          expect(d).toBeGreaterThanOrEqual(100);
          expect(d).toBeLessThanOrEqual(5000);
        },
      ),
    );
    expect(backoffDelay(9, 1_000_000, o, 0.1)).toBe(590);
    expect(backoffDelay(9, 1_000_000, o, 0.9)).toBe(4510);
  });
});
