/** A clock for tests: `now()` moves only when told; timers fire on {@link ManualClock.advance}. */
import type { Clock, ClockTimer } from '../clock.js';

interface Pending {
  readonly at: number;
  readonly callback: () => void;
}

/** Deterministic time for tests. */
export class ManualClock implements Clock {
  private current: number;
  private readonly timers = new Map<object, Pending>();

  constructor(start = Date.now()) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimeout(callback: () => void, ms: number): ClockTimer {
    const handle = {};
    this.timers.set(handle, { at: this.current + ms, callback });
    return handle as ClockTimer;
  }

  clearTimeout(timer: ClockTimer): void {
    this.timers.delete(timer as object);
  }

  /** Number of timers not yet fired. */
  get pending(): number {
    return this.timers.size;
  }

  /** Moves time forward and runs the timers that fall due, in order. */
  advance(ms: number): void {
    this.current += ms;
    const due = [...this.timers.entries()].filter(([, timer]) => timer.at <= this.current).sort((a, b) => a[1].at - b[1].at);
    for (const [handle, timer] of due) {
      this.timers.delete(handle);
      timer.callback();
    }
  }
}
