import { describe, expect, it } from 'vitest';
import { filterCovers, topicMatches } from './topic-match.js';

describe('topicMatches', () => {
  it.each([
    ['a/b', 'a/b', true],
    ['a/+', 'a/b', true],
    ['a/+', 'a/b/c', false],
    ['a/#', 'a/b/c', true],
    ['sensor/#', 'sensor', true],
    ['+/b', 'a/b', true],
    ['#', '$aws/events/presence/connected/x', false],
    ['+/events/#', '$aws/events/x', false],
    ['$aws/events/presence/+/+', '$aws/events/presence/connected/x', true],
    ['a/b', 'a/c', false],
  ])('%s vs %s → %s', (filter, topic, expected) => {
    expect(topicMatches(filter, topic)).toBe(expected);
  });
});

describe('filterCovers', () => {
  it.each([
    ['game/#', 'game/a/+', true],
    ['game/+', 'game/#', false],
    ['game/+', 'game/a', true],
    ['game/a', 'game/+', false],
    ['game/private/alice', 'game/private/alice', true],
    ['game/private/alice', 'game/private/bob', false],
    ['#', '$aws/x', false],
    ['game/+/x', 'game/+/x', true],
  ])('%s covers %s → %s', (granted, requested, expected) => {
    expect(filterCovers(granted, requested)).toBe(expected);
  });
});
