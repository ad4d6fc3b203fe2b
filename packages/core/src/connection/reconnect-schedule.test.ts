import { describe, expect, it } from 'vitest';
import { DEFAULT_BACKOFF } from './backoff.js';
import { ReconnectSchedule } from './reconnect-schedule.js';
import { ERROR_CODES, WebcommError } from '../errors.js';

describe('ReconnectSchedule', () => {
  it('backs off across consecutive failures and restarts only when marked stable', () => {
    const s = new ReconnectSchedule({ ...DEFAULT_BACKOFF, initialDelayMs: 100, maxDelayMs: 350 }, () => 0.999);
    expect(s.nextAttempt).toBe(1);
    expect([s.fail(), s.fail(), s.fail(), s.fail()]).toEqual([
      { attempt: 2, delayMs: 99 },
      { attempt: 3, delayMs: 199 },
      { attempt: 4, delayMs: 349 },
      { attempt: 5, delayMs: 349 },
    ]);
    s.markStable();
    expect(s.nextAttempt).toBe(1);
    expect(s.fail()).toEqual({ attempt: 2, delayMs: 99 });
  });

  it('the lost-link rule: a link up at least the quick-drop window restarts from the first step; a quicker drop steps on', () => {
    const s = new ReconnectSchedule({ ...DEFAULT_BACKOFF, initialDelayMs: 100, maxDelayMs: 10_000 }, () => 0.999);
    expect(s.fail()).toEqual({ attempt: 2, delayMs: 99 });
    expect(s.fail()).toEqual({ attempt: 3, delayMs: 199 });
    // The third attempt made a link that stayed up 2 s: the next loss starts over.
    expect(s.linkLost(2_000, 2_000)).toEqual({ attempt: 2, delayMs: 99 });
    // Links closed right after CONNACK (a takeover) keep backing off.
    expect(s.linkLost(50, 2_000)).toEqual({ attempt: 3, delayMs: 199 });
    expect(s.linkLost(50, 2_000)).toEqual({ attempt: 4, delayMs: 399 });
    expect(s.linkLost(1_999, 2_000)).toEqual({ attempt: 5, delayMs: 799 });
    expect(s.linkLost(5_000, 2_000)).toEqual({ attempt: 2, delayMs: 99 });
  });

  it('herd safety under repeated restarts: 1,000 clients up 3 s between 10 restarts stay within 15 % per 100 ms', () => {
    // A seeded generator (LCG): the same draw every run.
    let seed = 12345;
    const random = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const fleet = Array.from({ length: 1_000 }, () => new ReconnectSchedule(DEFAULT_BACKOFF, random));
    for (let restart = 0; restart < 10; restart++) {
      const delays = fleet.map((s) => s.linkLost(3_000, 2_000).delayMs).sort((a, b) => a - b);
      let peak = 0;
      for (let lo = 0, hi = 0; hi < delays.length; hi++) {
        while ((delays[hi] ?? 0) - (delays[lo] ?? 0) >= 100) lo++;
        peak = Math.max(peak, hi - lo + 1);
      }
      expect(peak).toBeLessThanOrEqual(150);
      // Everyone back within the first step, every time.
      expect(delays.at(-1)).toBeLessThan(DEFAULT_BACKOFF.initialDelayMs);
    }
  });

  it('THROTTLED backs off further than a failure: [maxDelay/2, maxDelay] doubling to the throttled cap, reset by a stable link', () => {
    const s = new ReconnectSchedule(
      { ...DEFAULT_BACKOFF, initialDelayMs: 100, maxDelayMs: 1_000, throttledMaxDelayMs: 3_000 },
      () => 0.999,
    );
    expect(s.fail()).toEqual({ attempt: 2, delayMs: 99 });
    expect(s.throttled()).toEqual({ attempt: 3, delayMs: 999 });
    expect(s.throttled()).toEqual({ attempt: 4, delayMs: 1_999 });
    expect(s.throttled()).toEqual({ attempt: 5, delayMs: 2_998 });
    expect(s.throttled()).toEqual({ attempt: 6, delayMs: 2_998 });
    s.markStable();
    expect(s.throttled()).toEqual({ attempt: 2, delayMs: 999 });
    // The floor: even the lowest draw waits half the ceiling, unlike full jitter's 0.
    const low = new ReconnectSchedule(DEFAULT_BACKOFF, () => 0);
    expect(low.fail().delayMs).toBe(0);
    expect(low.throttled().delayMs).toBe(DEFAULT_BACKOFF.maxDelayMs / 2);
  });

  it('after(error) picks the rule: THROTTLED backs off further, a lost link follows the lost-link rule, anything else is one more failure', () => {
    const backoff = { ...DEFAULT_BACKOFF, initialDelayMs: 100, maxDelayMs: 1_000 };
    const throttled = new WebcommError(ERROR_CODES.THROTTLED, 'over quota');
    const network = new WebcommError(ERROR_CODES.NETWORK, 'closed');
    const s = new ReconnectSchedule(backoff, () => 0.999);
    expect(s.after(network, undefined, 2_000)).toEqual({ attempt: 2, delayMs: 99 });
    expect(s.after(throttled, 5_000, 2_000)).toEqual({ attempt: 3, delayMs: 999 });
    // A link up 5 s (at least the 2 s window) starts again from the first step; one up 1 s counts on.
    expect(s.after(network, 5_000, 2_000)).toEqual({ attempt: 2, delayMs: 99 });
    expect(s.after(network, 1_000, 2_000).attempt).toBe(3);
  });
});
