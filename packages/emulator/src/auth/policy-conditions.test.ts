import { describe, expect, it } from 'vitest';
import type { Condition } from './policy-conditions.js';
import { evaluateCondition, evaluateConditions, parseConditions } from './policy-conditions.js';
import type { PolicyVariables } from './policy-context.js';
import { contextValue } from './policy-context.js';

const certified: PolicyVariables = {
  clientId: 'dev-7',
  cognitoSub: 'eu-west-1:abc',
  region: 'local-1',
  account: '000000000000',
  sourceIp: '::ffff:10.1.2.3',
  thing: { name: 'dev-7', typeName: 'sensor', attributes: { Color: 'red' }, isAttached: true },
  certificate: { SerialNumber: '0A1B', 'Subject.CommonName': 'dev-7' },
};
const bare: PolicyVariables = { clientId: 'tool-1', region: 'local-1', account: '000000000000' };

const verdict = (operator: string, key: string, values: string[], on = certified) =>
  evaluateCondition({ operator, key, values }, on);

describe('condition operators', () => {
  it.each([
    ['StringEquals', 'iot:ClientId', ['dev-7'], true],
    ['StringEquals', 'iot:ClientId', ['other', 'dev-7'], true],
    ['StringEquals', 'iot:ClientId', ['DEV-7'], false],
    ['StringNotEquals', 'iot:ClientId', ['dev-7'], false],
    ['StringNotEquals', 'iot:ClientId', ['a', 'b'], true],
    ['StringEqualsIgnoreCase', 'iot:ClientId', ['DEV-7'], true],
    ['StringNotEqualsIgnoreCase', 'iot:ClientId', ['DEV-7'], false],
    ['StringLike', 'iot:ClientId', ['dev-?'], true],
    ['StringLike', 'iot:ClientId', ['tool-*'], false],
    ['StringNotLike', 'iot:ClientId', ['dev-*'], false],
    ['ArnLike', 'iot:ClientId', ['dev*'], true],
    ['ArnEquals', 'iot:ClientId', ['dev-7'], true],
    ['ArnNotEquals', 'iot:ClientId', ['dev-7'], false],
    ['ArnNotLike', 'iot:ClientId', ['x*'], true],
    ['NumericEquals', 'iot:Connection.Thing.Attributes[Color]', ['1'], false],
    ['Bool', 'iot:Connection.Thing.IsAttached', ['true'], true],
    ['Bool', 'iot:Connection.Thing.IsAttached', ['false'], false],
    ['IpAddress', 'aws:SourceIp', ['10.1.0.0/16'], true],
    ['IpAddress', 'aws:SourceIp', ['10.2.0.0/16'], false],
    ['NotIpAddress', 'aws:SourceIp', ['10.2.0.0/16'], true],
    ['Null', 'iot:Certificate.SerialNumber', ['false'], true],
    ['Null', 'iot:Certificate.SerialNumber', ['true'], false],
    ['StringEquals', 'iot:Certificate.Subject.CommonName', ['dev-7'], true],
    ['StringEquals', 'iot:Connection.Thing.ThingTypeName', ['sensor'], true],
    ['StringEquals', 'iot:Connection.Thing.Attributes[Color]', ['red'], true],
    ['StringEquals', 'iot:Connection.Thing.Attributes[color]', ['red'], false],
    ['StringEquals', 'cognito-identity.amazonaws.com:sub', ['eu-west-1:abc'], true],
    ['StringEquals', 'IOT:CLIENTID', ['dev-7'], true],
  ])('%s %s %j → %s', (operator, key, values, expected) => {
    expect(verdict(operator, key, values)).toBe(expected);
  });

  it.each([
    ['NumericEquals', '42', true],
    ['NumericNotEquals', '42', false],
    ['NumericLessThan', '43', true],
    ['NumericLessThanEquals', '42', true],
    ['NumericGreaterThan', '42', false],
    ['NumericGreaterThanEquals', '42', true],
  ])('%s %s on a thing attribute of 42 → %s', (operator, value, expected) => {
    const numeric = { ...certified, thing: { name: 't', isAttached: true, attributes: { Level: '42' } } };
    expect(verdict(operator, 'iot:Connection.Thing.Attributes[Level]', [value], numeric)).toBe(expected);
  });

  it('globs in StringLike span newlines, as in IAM', () => {
    expect(verdict('StringLike', 'iot:ClientId', ['tool-*'], { ...bare, clientId: 'tool-\nx' })).toBe(true);
    expect(verdict('StringNotLike', 'iot:ClientId', ['tool-*'], { ...bare, clientId: 'tool-\nx' })).toBe(false);
    expect(verdict('StringLike', 'iot:ClientId', ['a?b'], { ...bare, clientId: 'a\nb' })).toBe(true);
  });

  it('substitutes policy variables literally in condition values', () => {
    expect(verdict('StringEquals', 'iot:Certificate.Subject.CommonName', ['${iot:ClientId}'])).toBe(true);
    // A `*` in the client id is a plain character, not a glob.
    const star = { ...bare, clientId: 'a*' };
    expect(verdict('StringLike', 'iot:ClientId', ['${iot:ClientId}'], star)).toBe(true);
    expect(
      verdict('StringLike', 'cognito-identity.amazonaws.com:sub', ['${iot:ClientId}'], { ...star, cognitoSub: 'abc' }),
    ).toBe(false);
    expect(verdict('StringEquals', 'iot:ClientId', ['${*}'], { ...bare, clientId: '*' })).toBe(true);
  });

  it('handles an absent key as IAM does: IfExists and negated operators hold, others do not', () => {
    expect(verdict('StringEquals', 'iot:Certificate.SerialNumber', ['0A1B'], bare)).toBe(false);
    expect(verdict('StringEqualsIfExists', 'iot:Certificate.SerialNumber', ['0A1B'], bare)).toBe(true);
    expect(verdict('StringNotEquals', 'iot:Certificate.SerialNumber', ['0A1B'], bare)).toBe(true);
    expect(verdict('Bool', 'iot:Connection.Thing.IsAttached', ['true'], bare)).toBe(false);
    expect(verdict('Null', 'iot:Connection.Thing.ThingName', ['true'], bare)).toBe(true);
    expect(verdict('IpAddress', 'aws:SourceIp', ['0.0.0.0/0'], bare)).toBe(false);
    expect(verdict('StringEqualsIfExists', 'iot:ClientId', ['other'], bare)).toBe(false);
  });

  it('applies ForAnyValue / ForAllValues over the key values', () => {
    expect(verdict('ForAnyValue:StringLike', 'iot:ClientId', ['dev-*'])).toBe(true);
    expect(verdict('ForAllValues:StringEquals', 'iot:ClientId', ['x'])).toBe(false);
    expect(verdict('ForAnyValue:StringNotEquals', 'iot:ClientId', ['dev-7'])).toBe(false);
    expect(verdict('ForAllValues:StringNotEquals', 'iot:ClientId', ['x'])).toBe(true);
    // Absent key: ForAllValues holds vacuously, ForAnyValue does not.
    expect(verdict('ForAllValues:StringEquals', 'iot:Certificate.SerialNumber', ['x'], bare)).toBe(true);
    expect(verdict('ForAnyValue:StringEquals', 'iot:Certificate.SerialNumber', ['x'], bare)).toBe(false);
  });

  it.each([
    ['DateGreaterThan', 'iot:ClientId', ['2020-01-01T00:00:00Z']],
    ['StringEquals', 'iot:DomainName', ['example.com']],
    ['StringEquals', 'aws:CurrentTime', ['x']],
    ['StringEquals', 'iot:ClientId', ['${iot:Connection.Thing.ThingName}']],
    ['StringLike', 'iot:ClientId', ['${aws:username}']],
    ['NumericEquals', 'iot:ClientId', ['not a number']],
    ['IpAddress', 'aws:SourceIp', ['10.0.0.0/99']],
    ['Null', 'iot:ClientId', ['maybe']],
    ['stringequals', 'iot:ClientId', ['tool-1']],
    ['toString', 'iot:ClientId', ['tool-1']],
  ])('is unknown (fail closed) for %s on %s %j', (operator, key, values) => {
    expect(verdict(operator, key, values, bare)).toBe('unknown');
  });

  it('ANDs conditions: false wins over unknown, unknown over true', () => {
    const known: Condition = { operator: 'StringEquals', key: 'iot:ClientId', values: ['tool-1'] };
    const wrong: Condition = { ...known, values: ['other'] };
    const unknown: Condition = { operator: 'DateLessThan', key: 'aws:CurrentTime', values: ['x'] };
    expect(evaluateConditions([], bare)).toBe(true);
    expect(evaluateConditions([known], bare)).toBe(true);
    expect(evaluateConditions([known, unknown], bare)).toBe('unknown');
    expect(evaluateConditions([unknown, wrong], bare)).toBe(false);
  });
});

describe('parseConditions', () => {
  it('reads every operator, key and value (numbers and booleans as text)', () => {
    expect(
      parseConditions({
        StringEquals: { 'iot:ClientId': ['a', 'b'] },
        Bool: { 'iot:Connection.Thing.IsAttached': true },
      }),
    ).toEqual([
      { operator: 'StringEquals', key: 'iot:ClientId', values: ['a', 'b'] },
      { operator: 'Bool', key: 'iot:Connection.Thing.IsAttached', values: ['true'] },
    ]);
    expect(parseConditions(undefined)).toEqual([]);
  });

  it.each([[['x']], ['x'], [{ StringEquals: 'x' }], [{ StringEquals: { k: [] } }], [{ StringEquals: { k: [{}] } }]])(
    'refuses malformed block %j',
    (block) => {
      expect(() => parseConditions(block)).toThrow(/Condition must be/);
    },
  );
});

describe('contextValue', () => {
  it('never answers from the prototype', () => {
    expect(contextValue('iot:Connection.Thing.Attributes[constructor]', certified)).toBeUndefined();
    expect(contextValue('iot:Certificate.constructor', certified)).toBeUndefined();
    expect(contextValue('aws:SourceIp', { ...bare, sourceIp: 'unknown' })).toBeUndefined();
  });

  it('gives an IPv4 peer on a dual-stack socket as plain IPv4', () => {
    expect(contextValue('aws:SourceIp', certified)).toEqual(['10.1.2.3']);
    expect(contextValue('aws:SourceIp', { ...bare, sourceIp: '::1' })).toEqual(['::1']);
  });
});
