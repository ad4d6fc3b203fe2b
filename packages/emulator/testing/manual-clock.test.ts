import { describe, expect, it } from 'vitest';
import { ManualClock } from './manual-clock.js';

describe("emulator ManualClock (core's, epoch-based)", () => {
  it('starts at the current epoch time', () => {
    const before = Date.now();
    const now = new ManualClock().now();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
  });

  it('fires a timer scheduled by a firing timer when it falls inside the same advance', () => {
    const clock = new ManualClock(1_000);
    const fired: number[] = [];
    clock.setTimeout(() => {
      fired.push(clock.now());
      clock.setTimeout(() => fired.push(clock.now()), 10);
    }, 10);
    clock.advance(30);
    expect(fired).toEqual([1_010, 1_020]);
    expect(clock.pendingTimers).toBe(0);
  });
});
