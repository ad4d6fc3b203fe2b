import { describe, expect, it } from 'vitest';
import { DocumentPolicy, FilterPolicy, isAllowed } from './access-policy.js';

const vars = { clientId: 'c1', region: 'local-1', account: '000000000000' };

describe('FilterPolicy (default, receive-only)', () => {
  const policy = new FilterPolicy({ subscribe: ['game/broadcast', 'game/private/c1'], publish: [] });
  it('allows subscribe and receive on granted filters only, never publish', () => {
    expect(isAllowed([policy], 'iot:Subscribe', 'game/private/c1')).toBe(true);
    expect(isAllowed([policy], 'iot:Subscribe', 'game/private/c2')).toBe(false);
    expect(isAllowed([policy], 'iot:Subscribe', 'game/#')).toBe(false);
    expect(isAllowed([policy], 'iot:Receive', 'game/broadcast')).toBe(true);
    expect(isAllowed([policy], 'iot:Publish', 'game/broadcast')).toBe(false);
  });
});

describe('DocumentPolicy (IoT policy grammar)', () => {
  const document = JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: ['iot:Connect'], Resource: ['arn:aws:iot:local-1:000000000000:client/${iot:ClientId}'] },
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

  it('names the problem in a malformed document', () => {
    expect(() => new DocumentPolicy([JSON.stringify({ Statement: [{ Effect: 'Maybe', Action: 'iot:*', Resource: '*' }] })], vars)).toThrow(/Effect must be Allow or Deny/);
    expect(() => new DocumentPolicy(['{not json'], vars)).toThrow();
  });
});
