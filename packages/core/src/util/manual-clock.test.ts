import { describe, expect, it } from 'vitest';
import { intervalTimerFrom } from './clock.js';
import { ManualClock } from './manual-clock.js';

describe('ManualClock', () => {
  it('fires due timers in time order, including ones scheduled while advancing', () => {
    const clock = new ManualClock(100);
    const fired: string[] = [];
    clock.setTimeout(() => fired.push(`b@${clock.now()}`), 20);
    clock.setTimeout(() => {
      fired.push(`a@${clock.now()}`);
      clock.setTimeout(() => fired.push(`c@${clock.now()}`), 5);
    }, 10);
    const cancelled = clock.setTimeout(() => fired.push('never'), 15);
    clock.clearTimeout(cancelled);
    clock.advance(19);
    expect(fired).toEqual(['a@110', 'c@115']);
    expect(clock.pendingTimers).toBe(1);
    clock.advance(1);
    expect(fired).toEqual(['a@110', 'c@115', 'b@120']);
    expect(clock.now()).toBe(120);
    expect(clock.pendingTimers).toBe(0);
  });

  it('drives an interval timer (the shape MQTT.js keepalive uses) until cleared', () => {
    const clock = new ManualClock();
    const timer = intervalTimerFrom(clock);
    let ticks = 0;
    const id = timer.set(() => ticks++, 5000);
    clock.advance(15_000);
    expect(ticks).toBe(3);
    timer.clear(id);
    clock.advance(15_000);
    expect(ticks).toBe(3);
    expect(clock.pendingTimers).toBe(0);
  });
});
