import { describe, expect, it } from 'vitest';
import { KeyedLock } from './keyed-lock.js';

describe('KeyedLock', () => {
  it('runs tasks of one key one at a time, in order, and other keys alongside; forgets settled keys', async () => {
    const lock = new KeyedLock();
    const events: string[] = [];
    const gates: (() => void)[] = [];
    const task = (name: string) => () =>
      new Promise<string>((resolve) => {
        events.push(`start ${name}`);
        gates.push(() => {
          events.push(`end ${name}`);
          resolve(name);
        });
      });
    const a1 = lock.run('a', task('a1'));
    const a2 = lock.run('a', task('a2'));
    const b1 = lock.run('b', task('b1'));
    await expect.poll(() => events.length).toBe(2);
    expect(events).toEqual(['start a1', 'start b1']);
    gates.shift()?.(); // a1
    await expect(a1).resolves.toBe('a1');
    await expect.poll(() => events.includes('start a2')).toBe(true);
    gates.splice(0).forEach((open) => open());
    await expect(Promise.all([a2, b1])).resolves.toEqual(['a2', 'b1']);
    await expect.poll(() => lock.size).toBe(0);
  });

  it('a failing task rejects its caller and does not block the next one', async () => {
    const lock = new KeyedLock();
    const failed = lock.run('k', () => Promise.reject(new Error('boom')));
    const next = lock.run('k', () => Promise.resolve(2));
    await expect(failed).rejects.toThrow('boom');
    await expect(next).resolves.toBe(2);
  });
});
