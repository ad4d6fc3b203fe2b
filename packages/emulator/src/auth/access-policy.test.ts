import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { FilterPolicy, isAllowed } from './access-policy.js';
import { DocumentPolicy, resourcePattern } from './document-policy.js';

const vars = { clientId: 'c1', region: 'local-1', account: '000000000000' };

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

describe('DocumentPolicy (IoT policy grammar)', () => {
  const document = JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: ['iot:Connect'],
        Resource: ['arn:aws:iot:local-1:000000000000:client/${iot:ClientId}'],
      },
      { Effect: 'Allow', Action: 'iot:*', Resource: 'arn:aws:iot:*:*:topic*/tools/*' },
      { Effect: 'Deny', Action: 'iot:Publish', Resource: 'arn:aws:iot:*:*:topic/tools/secret' },
    ],
  });
  const policy = new DocumentPolicy([document], vars);

  it('substitutes ${iot:ClientId} and matches IAM globs', () => {
    expect(isAllowed([policy], 'iot:Connect', 'c1')).toBe(true);
    expect(isAllowed([policy], 'iot:Connect', 'c2')).toBe(false);
    expect(isAllowed([policy], 'iot:Subscribe', 'tools/+')).toBe(true);
    expect(isAllowed([policy], 'iot:Publish', 'tools/build')).toBe(true);
    expect(isAllowed([policy], 'iot:Publish', 'other/build')).toBe(false);
  });

  it('lets an explicit Deny win over an Allow', () => {
    expect(isAllowed([policy], 'iot:Publish', 'tools/secret')).toBe(false);
    expect(isAllowed([policy], 'iot:Receive', 'tools/secret')).toBe(true);
  });

  it.each(['*', '?', '#', '+', '.*', 'a*', '[a-z]*', '\\', '$'])(
    'substitutes client id %s literally, never as a glob',
    (clientId) => {
      const own = new DocumentPolicy(
        [
          JSON.stringify({
            Statement: [
              {
                Effect: 'Allow',
                Action: ['iot:Subscribe', 'iot:Receive'],
                Resource: [
                  'arn:aws:iot:*:*:topicfilter/game/private/${iot:ClientId}',
                  'arn:aws:iot:*:*:topic/game/private/${iot:ClientId}',
                ],
              },
            ],
          }),
        ],
        { ...vars, clientId },
      );
      expect(isAllowed([own], 'iot:Receive', 'game/private/alice')).toBe(false);
      expect(isAllowed([own], 'iot:Subscribe', 'game/private/#')).toBe(clientId === '#');
      expect(isAllowed([own], 'iot:Receive', `game/private/${clientId}`)).toBe(true);
    },
  );

  it('matches a substituted variable only against exactly its value (property)', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 12 }),
        fc.string({ unit: 'binary', maxLength: 12 }),
        (clientId, other) => {
          const pattern = resourcePattern('topic/p/${iot:ClientId}/${cognito-identity.amazonaws.com:sub}', {
            ...vars,
            clientId,
            cognitoSub: clientId,
          });
          expect(pattern.test(`topic/p/${clientId}/${clientId}`)).toBe(true);
          if (other !== clientId) expect(pattern.test(`topic/p/${other}/${other}`)).toBe(false);
        },
      ),
    );
  });

  it('names the problem in a malformed document', () => {
    expect(
      () =>
        new DocumentPolicy(
          [JSON.stringify({ Statement: [{ Effect: 'Maybe', Action: 'iot:*', Resource: '*' }] })],
          vars,
        ),
    ).toThrow(/Effect must be Allow or Deny/);
    expect(() => new DocumentPolicy(['{not json'], vars)).toThrow();
  });
});
