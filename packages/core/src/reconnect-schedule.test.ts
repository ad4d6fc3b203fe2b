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
});
