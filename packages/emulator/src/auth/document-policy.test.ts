import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isAllowed } from './access-policy.js';
import { DocumentPolicy, resourcePattern } from './document-policy.js';
import type { PolicyVariables } from './policy-context.js';

const vars: PolicyVariables = { clientId: 'tool-1', region: 'local-1', account: '000000000000', sourceIp: '127.0.0.1' };
const ARN = 'arn:aws:iot:local-1:000000000000';

const policy = (statements: readonly object[], on: PolicyVariables = vars): DocumentPolicy =>
  new DocumentPolicy([JSON.stringify({ Version: '2012-10-17', Statement: statements })], on);

const allowAll = { Effect: 'Allow', Action: 'iot:*', Resource: '*' };

describe('DocumentPolicy globs span newlines', () => {
  it.each(['a\nb', '\n', 'x\r\ny'])('a Deny on topic/locked/* covers the granted topic of client id %j', (clientId) => {
    const guarded = policy(
      [
        { Effect: 'Allow', Action: ['iot:Publish', 'iot:Receive'], Resource: `${ARN}:topic/*/\${iot:ClientId}` },
        { Effect: 'Deny', Action: 'iot:*', Resource: `${ARN}:topic/locked/*` },
      ],
      { ...vars, clientId },
    );
    expect(isAllowed([guarded], 'iot:Publish', `open/${clientId}`)).toBe(true);
    expect(isAllowed([guarded], 'iot:Publish', `locked/${clientId}`)).toBe(false);
    expect(isAllowed([guarded], 'iot:Receive', `locked/${clientId}`)).toBe(false);
  });

  it('a Deny on client/* covers a client id holding a newline; `?` matches a newline', () => {
    const denied = policy([allowAll, { Effect: 'Deny', Action: 'iot:Connect', Resource: `${ARN}:client/bad*` }]);
    expect(isAllowed([denied], 'iot:Connect', 'bad\nclient')).toBe(false);
    const one = policy([{ Effect: 'Allow', Action: 'iot:Publish', Resource: `${ARN}:topic/a?b` }]);
    expect(isAllowed([one], 'iot:Publish', 'a\nb')).toBe(true);
  });
});

describe('DocumentPolicy Condition', () => {
  const onlyTool1 = [
    {
      Effect: 'Allow',
      Action: 'iot:Connect',
      Resource: `${ARN}:client/*`,
      Condition: { StringEquals: { 'iot:ClientId': 'tool-1' } },
    },
  ];

  it('grants an Allow only where its condition holds', () => {
    expect(isAllowed([policy(onlyTool1)], 'iot:Connect', 'tool-1')).toBe(true);
    expect(isAllowed([policy(onlyTool1, { ...vars, clientId: 'tool-2' })], 'iot:Connect', 'tool-2')).toBe(false);
  });

  it('applies a Deny only where its condition holds', () => {
    const deny = {
      Effect: 'Deny',
      Action: 'iot:*',
      Resource: '*',
      Condition: { NotIpAddress: { 'aws:SourceIp': '127.0.0.0/8' } },
    };
    expect(isAllowed([policy([allowAll, deny])], 'iot:Publish', 't')).toBe(true);
    expect(isAllowed([policy([allowAll, deny], { ...vars, sourceIp: '10.0.0.1' })], 'iot:Publish', 't')).toBe(false);
  });

  it('fails closed on an unknown operator or key: an Allow does not apply, a Deny does', () => {
    const unknown = { DateLessThan: { 'aws:CurrentTime': '2999-01-01T00:00:00Z' } };
    expect(isAllowed([policy([{ ...allowAll, Condition: unknown }])], 'iot:Publish', 't')).toBe(false);
    expect(
      isAllowed([policy([allowAll, { ...allowAll, Effect: 'Deny', Condition: unknown }])], 'iot:Publish', 't'),
    ).toBe(false);
    const unknownKey = { StringEquals: { 'iot:DomainName': 'x' } };
    expect(isAllowed([policy([{ ...allowAll, Condition: unknownKey }])], 'iot:Publish', 't')).toBe(false);
  });

  it('substitutes policy variables inside condition values', () => {
    const own = {
      ...allowAll,
      Condition: { StringEquals: { 'cognito-identity.amazonaws.com:sub': '${iot:ClientId}' } },
    };
    expect(isAllowed([policy([own], { ...vars, cognitoSub: 'tool-1' })], 'iot:Publish', 't')).toBe(true);
    expect(isAllowed([policy([own], { ...vars, cognitoSub: 'someone' })], 'iot:Publish', 't')).toBe(false);
  });
});

describe('DocumentPolicy grammar', () => {
  it('evaluates NotAction and NotResource', () => {
    const allButPublish = policy([{ Effect: 'Allow', NotAction: 'iot:Publish', Resource: '*' }]);
    expect(isAllowed([allButPublish], 'iot:Receive', 't')).toBe(true);
    expect(isAllowed([allButPublish], 'iot:Publish', 't')).toBe(false);
    const outsideAdmin = policy([
      allowAll,
      { Effect: 'Deny', Action: 'iot:Publish', NotResource: `${ARN}:topic/open/*` },
    ]);
    expect(isAllowed([outsideAdmin], 'iot:Publish', 'open/x')).toBe(true);
    expect(isAllowed([outsideAdmin], 'iot:Publish', 'admin/x')).toBe(false);
  });

  it('matches action names case-insensitively, as IAM does', () => {
    const deny = policy([allowAll, { Effect: 'Deny', Action: 'IOT:publish', Resource: '*' }]);
    expect(isAllowed([deny], 'iot:Publish', 't')).toBe(false);
  });

  it('fails closed on a variable with no value here: no Allow, a Deny as if it were *', () => {
    const thingTopic = `${ARN}:topic/things/\${iot:Connection.Thing.ThingName}/x`;
    const allow = policy([{ Effect: 'Allow', Action: 'iot:Publish', Resource: thingTopic }]);
    expect(isAllowed([allow], 'iot:Publish', 'things/${iot:Connection.Thing.ThingName}/x')).toBe(false);
    expect(isAllowed([allow], 'iot:Publish', 'things//x')).toBe(false);
    const deny = policy([allowAll, { Effect: 'Deny', Action: 'iot:Publish', Resource: thingTopic }]);
    expect(isAllowed([deny], 'iot:Publish', 'things/any/x')).toBe(false);
    expect(isAllowed([deny], 'iot:Publish', 'things/any/y')).toBe(true);
  });

  it.each([
    [{ Effect: 'Allow', Action: 'iot:*' }, /exactly one of Resource and NotResource/],
    [
      { Effect: 'Allow', Action: 'iot:*', NotAction: 'iot:Publish', Resource: '*' },
      /exactly one of Action and NotAction/,
    ],
    [{ ...allowAll, Principal: '*' }, /no Principal/],
    [{ ...allowAll, Condition: { StringEquals: 'x' } }, /Condition must be/],
    [{ ...allowAll, Resource: [1] }, /Resource must be a string/],
  ])('refuses statement %j, naming the document', (statement, problem) => {
    expect(() => policy([statement])).toThrow(problem);
    expect(() => policy([statement])).toThrow(/^policy document 0: /);
  });
});

describe('DocumentPolicy (IoT policy grammar)', () => {
  const c1: PolicyVariables = { ...vars, clientId: 'c1' };
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
  const policy = new DocumentPolicy([document], c1);

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
        { ...c1, clientId },
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
            ...c1,
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
        new DocumentPolicy([JSON.stringify({ Statement: [{ Effect: 'Maybe', Action: 'iot:*', Resource: '*' }] })], c1),
    ).toThrow(/Effect must be Allow or Deny/);
    expect(() => new DocumentPolicy(['{not json'], c1)).toThrow();
  });
});
