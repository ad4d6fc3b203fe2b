import { describe, expect, it } from 'vitest';
import { parseSharedFilter, SharedSubscriptions } from './shared-subscriptions.js';

describe('parseSharedFilter', () => {
  it('splits $share/{group}/{filter}; anything else is not a shared filter', () => {
    expect(parseSharedFilter('$share/g/a/+/c')).toEqual({ group: 'g', filter: 'a/+/c' });
    expect(parseSharedFilter('a/b')).toBeUndefined();
    expect(parseSharedFilter('$share/g')).toBeUndefined();
    expect(parseSharedFilter('$share//a')).toBeUndefined();
    expect(parseSharedFilter('$share/g+/a')).toBeUndefined();
    expect(parseSharedFilter('$share/g/')).toBeUndefined();
  });
});

describe('SharedSubscriptions', () => {
  const held: Record<string, Record<string, unknown>> = {};
  const table = new SharedSubscriptions({ heldFilters: (id) => held[id] });

  it('round-robins a group over its connected members holding the filter; plain use always delivers', () => {
    for (const id of ['a', 'b', 'c']) {
      const subscriptions = [{ topic: '$share/g/x/+' }];
      table.subscribe(id, subscriptions);
      expect(subscriptions).toEqual([{ topic: 'x/+' }]);
      held[id] = { 'x/+': {} };
    }
    const picks = [0, 1, 2, 3, 4, 5].map((n) => ['a', 'b', 'c'].filter((id) => table.delivers(id, 'x/1', n, false)));
    expect(picks).toEqual([['a'], ['b'], ['c'], ['a'], ['b'], ['c']]);
    delete held.b; // b disconnected
    expect([0, 1].map((n) => ['a', 'c'].filter((id) => table.delivers(id, 'x/1', n, false)))).toEqual([['a'], ['c']]);
    expect(table.delivers('a', 'x/1', 0, true)).toBe(false); // no retained replay to a share
    expect(table.delivers('z', 'x/1', 0, true)).toBe(true); // not a member of anything
  });

  it('unsubscribe and forget leave the group; the plain filter is dropped only when unused', () => {
    const list = ['$share/g/x/+'];
    table.unsubscribe('a', list);
    expect(list).toEqual(['x/+']);
    table.forget('c');
    table.forget('b');
    expect(table.size).toBe(0);
  });
});
