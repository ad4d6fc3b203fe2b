import { describe, expect, it } from 'vitest';
import { watchNetwork, type NetworkTimer } from './watch-network.js';

/** A manual clock and interval timer: the test moves time, nothing sleeps. */
function manualTime() {
  let t = 1_000_000;
  const intervals = new Map<number, { callback: () => void; ms: number; next: number }>();
  let ids = 0;
  const timer: NetworkTimer = {
    setInterval: (callback, ms) => (intervals.set(++ids, { callback, ms, next: t + ms }), ids),
    clearInterval: (handle) => void intervals.delete(handle as number),
  };
  return {
    now: () => t,
    timer,
    intervals,
    /** Jumps the wall clock without running timers (a frozen tab), then runs what is due once. */
    jump(ms: number) {
      t += ms;
      for (const entry of intervals.values())
        if (entry.next <= t) {
          entry.next = t + entry.ms;
          entry.callback();
        }
    },
    /** Advances time in steps, running timers on schedule. */
    advance(ms: number) {
      const end = t + ms;
      for (;;) {
        const due = [...intervals.values()].filter((e) => e.next <= end).sort((a, b) => a.next - b.next)[0];
        if (due === undefined) break;
        t = due.next;
        due.next += due.ms;
        due.callback();
      }
      t = end;
    },
  };
}

class FakeDocument extends EventTarget {
  visibilityState = 'visible';
}

describe('watchNetwork', () => {
  it('calls the hooks for online/offline and visibility events, and stops after dispose', () => {
    const window = new EventTarget();
    const document = new FakeDocument();
    const seen: string[] = [];
    const dispose = watchNetwork(
      {
        onOnline: () => seen.push('online'),
        onOffline: () => seen.push('offline'),
        onVisible: () => seen.push('visible'),
        onHidden: () => seen.push('hidden'),
      },
      { window, document, wakeCheckMs: 0 },
    );
    window.dispatchEvent(new Event('offline'));
    document.visibilityState = 'hidden';
    document.dispatchEvent(new Event('visibilitychange'));
    window.dispatchEvent(new Event('online'));
    document.visibilityState = 'visible';
    document.dispatchEvent(new Event('visibilitychange'));
    dispose();
    window.dispatchEvent(new Event('offline'));
    expect(seen).toEqual(['offline', 'hidden', 'online', 'visible']);
  });

  it('reports a wake when the wall clock jumped past the check, not when timers run on time', () => {
    const time = manualTime();
    const wakes: number[] = [];
    const dispose = watchNetwork(
      { onWake: (gap) => wakes.push(gap) },
      { window: new EventTarget(), document: new FakeDocument(), now: time.now, timer: time.timer },
    );
    time.advance(60_000);
    expect(wakes).toEqual([]);
    time.jump(5_000 + 45_000); // the tab was frozen for 45 s beyond the period
    expect(wakes).toEqual([45_000]);
    dispose();
    expect(time.intervals.size).toBe(0);
  });

  it('rejects a negative period by name', () => {
    expect(() => watchNetwork({}, { wakeCheckMs: -1 })).toThrow(/wakeCheckMs/);
  });
});
