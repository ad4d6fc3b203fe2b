import { describe, expect, it } from 'vitest';
import { DeadLinkWatchdog } from './dead-link-watchdog.js';
import { ManualClock } from '../util/manual-clock.js';

describe('DeadLinkWatchdog', () => {
  it('fires exactly when the link has been silent for the limit', () => {
    const clock = new ManualClock();
    const dead: number[] = [];
    const w = new DeadLinkWatchdog(clock, 45_000, (ms) => dead.push(ms));
    w.start();
    clock.advance(30_000);
    w.touch();
    clock.advance(44_999);
    expect(dead).toEqual([]);
    clock.advance(1);
    expect(dead).toEqual([45_000]);
    expect(clock.pendingTimers).toBe(0);
  });

  it('stays quiet while data keeps arriving, and stop() clears its timer', () => {
    const clock = new ManualClock();
    const w = new DeadLinkWatchdog(clock, 1500, () => expect.fail('declared dead'));
    w.start();
    for (let i = 0; i < 20; i++) {
      clock.advance(1000);
      w.touch();
    }
    w.stop();
    expect(clock.pendingTimers).toBe(0);
  });
});
