import { describe, expect, it } from 'vitest';
import { DEFAULT_BACKOFF } from './backoff.js';
import { ReconnectSchedule } from './reconnect-schedule.js';

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
});
