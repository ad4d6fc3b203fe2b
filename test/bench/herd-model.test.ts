/**
 * The pure herd model of `bench/herd-model.ts` on small fleets: it runs core's own reconnect
 * schedule, so these figures move when the default backoff or the THROTTLED backoff changes.
 */
import { DEFAULT_BACKOFF } from '@webcomm/core';
import { describe, expect, it } from 'vitest';
import { firstStepUnderQuota, herdModel } from '../../bench/herd-model.js';

describe('herd model', () => {
  it('without a quota, the default first step brings everyone back within initialDelayMs, all in one second', () => {
    const r = herdModel({ clients: 2_000, quotaPerSecond: Infinity });
    expect(r.throttled).toBe(0);
    expect(r.attempts).toBe(2_000);
    expect(r.secondsToAll).toBeLessThan(DEFAULT_BACKOFF.initialDelayMs / 1000);
    expect(r.peakAttemptsPerSecond).toBe(2_000);
  });

  it('under a 500/s quota, the THROTTLED backoff keeps refused clients away for at least maxDelayMs / 2', () => {
    const r = herdModel({ clients: 2_000, quotaPerSecond: 500 });
    expect(r.peakAcceptedPerSecond).toBe(500);
    // 1,500 refused in the first second; none may be back before 15 s, so the next accepted wave
    // starts there and not one throttled client retries inside the first 15 s.
    expect(r.throttled).toBeGreaterThanOrEqual(1_500);
    expect(r.secondsTo99).toBeGreaterThanOrEqual(DEFAULT_BACKOFF.maxDelayMs / 2000);
    // Fewer attempts than a herd retrying on the plain 1–30 s steps would make (each retried
    // until admitted: ≥ 2 per refused client within 30 s).
    expect(r.attempts).toBeLessThan(2_000 + 2 * 1_500);
    expect(Number.isFinite(r.secondsToAll)).toBe(true);
  });

  it('is repeatable for a seed', () => {
    expect(herdModel({ clients: 5_000, seed: 7 })).toEqual(herdModel({ clients: 5_000, seed: 7 }));
  });

  it('finds a first step that keeps the herd under the quota in every second', () => {
    const { initialDelayMs, result } = firstStepUnderQuota(20_000, 500);
    expect(initialDelayMs).toBeGreaterThanOrEqual(40_000);
    expect(result.peakAttemptsPerSecond).toBeLessThanOrEqual(500);
    expect(result.throttled).toBe(0);
  });
});
