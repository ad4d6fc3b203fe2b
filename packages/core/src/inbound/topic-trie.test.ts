import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TopicTrie } from './topic-trie.js';

/** Plain reference: compare level by level, straight from the MQTT 3.1.1 text. */
function referenceMatches(filter: string, topic: string, hashMatchesParent: boolean): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  if (topic.startsWith('$') && (f[0] === '+' || f[0] === '#')) return false;
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return i < t.length || (hashMatchesParent && i > 0 && i === t.length);
    if (i >= t.length) return false;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}

const level = fc.constantFrom('a', 'b', 'c', '', '$sys', 'x y');
const topicArb = fc.array(level, { minLength: 1, maxLength: 5 }).map((l) => l.join('/'));
const filterArb = fc
  .tuple(fc.array(fc.oneof(level, fc.constant('+')), { minLength: 1, maxLength: 5 }), fc.boolean())
  .map(([levels, hash]) => (hash ? [...levels.slice(0, -1), '#'] : levels).join('/'));

describe('TopicTrie', () => {
  it('matches exact, + and # filters (MQTT semantics by default)', () => {
    const trie = new TopicTrie<string>();
    for (const f of ['a/b', 'a/+', 'a/#', '#', '+/b', 'a/b/c', '$aws/x', '+/#']) trie.add(f, f);
    expect(trie.match('a/b').sort()).toEqual(['#', '+/#', '+/b', 'a/#', 'a/+', 'a/b'].sort());
    expect(trie.match('a').sort()).toEqual(['#', '+/#', 'a/#'].sort());
    expect(trie.match('$aws/x')).toEqual(['$aws/x']);
  });

  it('follows IoT Core when hashMatchesParent is false: a/# does not match a', () => {
    const trie = new TopicTrie<string>({ hashMatchesParent: false });
    trie.add('a/#', 'h');
    expect(trie.match('a')).toEqual([]);
    expect(trie.match('a/b')).toEqual(['h']);
  });

  it('removes values and prunes; several values per filter', () => {
    const trie = new TopicTrie<number>();
    trie.add('a/+', 1);
    trie.add('a/+', 2);
    trie.add('a/+', 2);
    expect(trie.size).toBe(2);
    expect(trie.remove('a/+', 1)).toBe(true);
    expect(trie.remove('a/+', 1)).toBe(false);
    expect(trie.match('a/z')).toEqual([2]);
    expect(trie.remove('a/+', 2)).toBe(true);
    expect(trie.match('a/z')).toEqual([]);
    expect(trie.size).toBe(0);
  });

  it('returns a value once when it is stored under an exact and a wildcard filter that both match', () => {
    const trie = new TopicTrie<string>();
    trie.add('a/b', 'v');
    trie.add('a/+', 'v');
    trie.add('a/b', 'w');
    expect(trie.match('a/b').sort()).toEqual(['v', 'w']);
    expect(trie.size).toBe(3);
    expect(trie.remove('a/b', 'v')).toBe(true);
    expect(trie.match('a/b').sort()).toEqual(['v', 'w']);
    expect(trie.remove('a/+', 'v')).toBe(true);
    expect(trie.match('a/b')).toEqual(['w']);
    expect(trie.remove('a/b', 'v')).toBe(false);
  });

  it('answers from its per-topic memory only while no filter changes, and hands out copies', () => {
    const trie = new TopicTrie<string>();
    trie.add('a/b', 'exact');
    expect(trie.match('a/b')).toEqual(['exact']);
    trie.add('a/+', 'plus');
    expect(trie.match('a/b').sort()).toEqual(['exact', 'plus']);
    const got = trie.match('a/b');
    got.length = 0;
    expect(trie.match('a/b').sort()).toEqual(['exact', 'plus']);
    trie.remove('a/b', 'exact');
    expect(trie.match('a/b')).toEqual(['plus']);
    trie.remove('a/+', 'plus');
    expect(trie.match('a/b')).toEqual([]);
    // More distinct topics than it remembers: still right.
    trie.add('t/+', 'many');
    for (let i = 0; i < 3000; i++) expect(trie.match(`t/${i}`)).toEqual(['many']);
    expect(trie.match('t/1/x')).toEqual([]);
  });

  it('agrees with the reference when matches are interleaved with changes', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), filterArb, topicArb), { minLength: 1, maxLength: 40 }), (steps) => {
        const trie = new TopicTrie<string>();
        const stored = new Set<string>();
        for (const [add, filter, topic] of steps) {
          if (add) {
            trie.add(filter, filter);
            stored.add(filter);
          } else {
            trie.remove(filter, filter);
            stored.delete(filter);
          }
          expect(trie.match(topic).sort()).toEqual([...stored].filter((f) => referenceMatches(f, topic, true)).sort());
        }
      }),
      { numRuns: 300 },
    );
  });

  for (const hashMatchesParent of [true, false]) {
    it(`agrees with the reference matcher (hashMatchesParent=${hashMatchesParent})`, () => {
      fc.assert(
        fc.property(
          fc.uniqueArray(filterArb, { maxLength: 30 }),
          fc.array(topicArb, { minLength: 1, maxLength: 10 }),
          (filters, topics) => {
            const trie = new TopicTrie<string>({ hashMatchesParent });
            for (const f of filters) trie.add(f, f);
            for (const topic of topics) {
              const expected = filters.filter((f) => referenceMatches(f, topic, hashMatchesParent)).sort();
              expect(trie.match(topic).sort()).toEqual(expected);
            }
          },
        ),
        { numRuns: 300 },
      );
    });
  }

  it('stays consistent with the reference after random removals', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(filterArb, { minLength: 1, maxLength: 20 }),
        fc.array(fc.boolean(), { minLength: 20, maxLength: 20 }),
        topicArb,
        (filters, drop, topic) => {
          const trie = new TopicTrie<string>();
          for (const f of filters) trie.add(f, f);
          const kept = filters.filter((f, i) => !(drop[i] && trie.remove(f, f)));
          expect(trie.match(topic).sort()).toEqual(kept.filter((f) => referenceMatches(f, topic, true)).sort());
        },
      ),
    );
  });
});
