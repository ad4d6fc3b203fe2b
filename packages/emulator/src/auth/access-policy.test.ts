import { describe, expect, it } from 'vitest';
import { FilterPolicy, isAllowed } from './access-policy.js';

describe('FilterPolicy (default, receive-only)', () => {
  const policy = new FilterPolicy({
    topics: ['game/broadcast', 'game/private/c1'],
    filters: ['game/news/#'],
    publish: [],
  });
  it('allows subscribe and receive on granted topics and filters only, never publish', () => {
    expect(isAllowed([policy], 'iot:Subscribe', 'game/private/c1')).toBe(true);
    expect(isAllowed([policy], 'iot:Subscribe', 'game/private/c2')).toBe(false);
    expect(isAllowed([policy], 'iot:Subscribe', 'game/#')).toBe(false);
    expect(isAllowed([policy], 'iot:Subscribe', 'game/news/+')).toBe(true);
    expect(isAllowed([policy], 'iot:Receive', 'game/broadcast')).toBe(true);
    expect(isAllowed([policy], 'iot:Receive', 'game/news/today')).toBe(true);
    expect(isAllowed([policy], 'iot:Publish', 'game/broadcast')).toBe(false);
  });

  it.each(['#', '+', 'a/#', '+/+'])('grants client id %s its own topic literally, never a wildcard', (clientId) => {
    const own = new FilterPolicy({ topics: [`game/private/${clientId}`], publish: [`game/tools/${clientId}`] });
    expect(isAllowed([own], 'iot:Receive', 'game/private/alice')).toBe(false);
    expect(isAllowed([own], 'iot:Receive', 'game/private/bob/x')).toBe(false);
    expect(isAllowed([own], 'iot:Subscribe', 'game/private/alice')).toBe(false);
    expect(isAllowed([own], 'iot:Publish', 'game/tools/alice')).toBe(false);
    // Its own literal topic, as IoT Core would (where `+`/`#` in a policy resource are plain characters).
    expect(isAllowed([own], 'iot:Subscribe', `game/private/${clientId}`)).toBe(true);
  });
});

describe('FilterPolicy receive through configured filters (core TopicTrie, IoT Core rules)', () => {
  it.each([
    ['a/b', 'a/b', true],
    ['a/+', 'a/b', true],
    ['a/+', 'a/b/c', false],
    ['a/#', 'a/b/c', true],
    // IoT Core, unlike MQTT 3.1.1: `#` needs a level, so `sensor/#` does not match `sensor`.
    ['sensor/#', 'sensor', false],
    ['+/b', 'a/b', true],
    ['#', '$aws/events/presence/connected/x', false],
    ['+/events/#', '$aws/events/x', false],
    ['$aws/events/presence/+/+', '$aws/events/presence/connected/x', true],
    ['a/b', 'a/c', false],
  ])('filter %s receives %s → %s', (filter, topic, expected) => {
    const policy = new FilterPolicy({ topics: [], filters: [filter], publish: [] });
    expect(isAllowed([policy], 'iot:Receive', topic)).toBe(expected);
  });
});
