import { describe, expect, it } from 'vitest';
import { filterCovers } from './filter-covers.js';

describe('filterCovers', () => {
  it.each([
    ['game/#', 'game/a/+', true],
    ['game/#', 'game/#', true],
    ['game/#', 'game', false],
    ['game/+', 'game/#', false],
    ['game/+', 'game/a', true],
    ['game/a', 'game/+', false],
    ['game/private/alice', 'game/private/alice', true],
    ['game/private/alice', 'game/private/bob', false],
    ['#', '$aws/x', false],
    ['+/x', '$aws/x', false],
    ['game/+/x', 'game/+/x', true],
  ])('%s covers %s → %s', (granted, requested, expected) => {
    expect(filterCovers(granted, requested)).toBe(expected);
  });
});
