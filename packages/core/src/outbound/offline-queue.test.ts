import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OfflineQueue, type OfflineQueueOptions } from './offline-queue.js';

const opts = (over: Partial<OfflineQueueOptions> = {}): OfflineQueueOptions => ({
  maxCount: 3,
  maxBytes: 100,
  ttlMs: 1000,
  overflow: 'drop-oldest',
  ...over,
});

describe('OfflineQueue', () => {
  it('drop-oldest evicts the oldest to make room', () => {
    const q = new OfflineQueue<string>(opts());
    for (const v of ['a', 'b', 'c']) expect(q.push(v, 10, 0).accepted).toBe(true);
    expect(q.push('d', 10, 0)).toEqual({ accepted: true, evicted: ['a'] });
    expect(q.push('e', 70, 0)).toEqual({ accepted: true, evicted: ['b'] });
    expect(q.drain().map((i) => i.value)).toEqual(['c', 'd', 'e']);
  });

  it('drop-newest and reject refuse the new item when full', () => {
    for (const overflow of ['drop-newest', 'reject'] as const) {
      const q = new OfflineQueue<string>(opts({ overflow }));
      for (const v of ['a', 'b', 'c']) q.push(v, 10, 0);
      expect(q.push('d', 10, 0)).toEqual({ accepted: false, evicted: [] });
      expect(q.length).toBe(3);
    }
  });

  it('refuses an item larger than maxBytes, and everything when maxCount is 0', () => {
    expect(new OfflineQueue<string>(opts()).push('big', 101, 0).accepted).toBe(false);
    expect(new OfflineQueue<string>(opts({ maxCount: 0 })).push('a', 1, 0).accepted).toBe(false);
  });

  it('expires items after their TTL', () => {
    const q = new OfflineQueue<string>(opts());
    q.push('a', 1, 0);
    q.push('b', 1, 500);
    expect(q.nextExpiry()).toBe(1000);
    expect(q.takeExpired(999)).toEqual([]);
    expect(q.takeExpired(1000)).toEqual(['a']);
    expect(q.bytes).toBe(1);
    expect(q.takeExpired(2000)).toEqual(['b']);
    expect(q.nextExpiry()).toBeUndefined();
  });

  it('never exceeds its bounds and accounts every item exactly once', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('drop-oldest', 'drop-newest', 'reject'),
        fc.array(fc.integer({ min: 1, max: 60 }), { maxLength: 50 }),
        (overflow, sizes) => {
          const q = new OfflineQueue<number>(opts({ overflow }));
          const outcomes = new Map<number, string>();
          sizes.forEach((size, i) => {
            const r = q.push(i, size, 0);
            outcomes.set(i, r.accepted ? 'queued' : 'refused');
            for (const e of r.evicted) outcomes.set(e, 'evicted');
            expect(q.length).toBeLessThanOrEqual(3);
            expect(q.bytes).toBeLessThanOrEqual(100);
          });
          const queued = q.drain().map((item) => item.value);
          expect(queued).toEqual([...outcomes].filter(([, o]) => o === 'queued').map(([i]) => i));
          expect(outcomes.size).toBe(sizes.length);
        },
      ),
    );
  });
});
