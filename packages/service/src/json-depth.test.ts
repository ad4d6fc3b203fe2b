import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { jsonDeeperThan } from './json-depth.js';

function depthOf(value: unknown): number {
  if (Array.isArray(value)) return 1 + Math.max(0, ...value.map(depthOf));
  if (value !== null && typeof value === 'object') return 1 + Math.max(0, ...Object.values(value).map(depthOf));
  return 0;
}

describe('jsonDeeperThan', () => {
  it('agrees with the parsed depth of any JSON value (brackets inside strings do not count)', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 8 }), fc.integer({ min: 0, max: 9 }), (value, limit) => {
        expect(jsonDeeperThan(JSON.stringify(value), limit)).toBe(depthOf(value) > limit);
      }),
    );
  });

  it('finds a 60,000-deep array without recursion', () => {
    expect(jsonDeeperThan('['.repeat(60_000) + ']'.repeat(60_000), 64)).toBe(true);
    expect(jsonDeeperThan('{"a":"[[[[[[\\"[[["}', 1)).toBe(false);
  });
});
