import { describe, expect, it } from 'vitest';
import { isWebcommError } from '@webcomm/core';
import { parseRuleSql, selectMessage, SUPPORTED_RULE_SQL } from './topic-rule-sql.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('parseRuleSql', () => {
  it.each([
    ["SELECT * FROM 'game/+/score'", { filter: 'game/+/score', select: [{ kind: 'all' }] }],
    ["select * from 'game/#';", { filter: 'game/#', select: [{ kind: 'all' }] }],
    [
      "SELECT *, topic() AS topic, clientid() AS clientId FROM 'webcomm/local/scores/+'",
      {
        filter: 'webcomm/local/scores/+',
        select: [{ kind: 'all' }, { kind: 'topic', as: 'topic' }, { kind: 'clientid', as: 'clientId' }],
      },
    ],
    [
      "SELECT topic(4) as player, CLIENTID() As who FROM 'a/b/c/+'",
      {
        filter: 'a/b/c/+',
        select: [
          { kind: 'topic', as: 'player', segment: 4 },
          { kind: 'clientid', as: 'who' },
        ],
      },
    ],
  ])('accepts %s', (sql, parsed) => {
    expect(parseRuleSql(sql, 'r')).toEqual(parsed);
  });

  it.each([
    ["SELECT * FROM 'a/+' WHERE score > 10", /WHERE is not supported/],
    ["SELECT score FROM 'a/+'", /select item "score"/],
    ["SELECT *, timestamp() AS t FROM 'a'", /select item "timestamp\(\) AS t"/],
    ["SELECT topic() FROM 'a'", /select item "topic\(\)"/],
    ["SELECT *, * FROM 'a'", /"\*" is selected twice/],
    ["SELECT topic() AS x, clientid() AS x FROM 'a'", /"x" is selected twice/],
    ["SELECT * FROM 'a/#/b'", /"#" must be a whole last level/],
    ["SELECT * FROM 'a/b+'", /"\+" must be a whole level/],
    ["SELECT * FROM ''", /empty/],
    ['SELECT * FROM a/b', /is not SELECT <items> FROM/],
    ["SELECT *, topic(0) AS t FROM 'a'", /counts levels from 1/],
    [42, /sql must be a string/],
  ])('refuses %s with WEBCOMM_INVALID_RULE naming the supported forms', (sql, problem) => {
    let error: unknown;
    try {
      parseRuleSql(sql, 'scores');
    } catch (caught) {
      error = caught;
    }
    expect(isWebcommError(error, 'WEBCOMM_INVALID_RULE')).toBe(true);
    expect((error as Error).message).toMatch(problem);
    expect((error as Error).message).toContain('rule "scores"');
    expect((error as Error).message).toContain(SUPPORTED_RULE_SQL);
  });
});

describe('selectMessage', () => {
  const message = { topic: 'webcomm/local/scores/p1', clientId: 'p1', payload: bytes('{"score":42}') };

  it('with *, is the JSON payload with the selected functions added', () => {
    const parsed = parseRuleSql(
      "SELECT *, topic() AS topic, topic(4) AS player, clientid() AS clientId FROM 'webcomm/local/scores/+'",
      'r',
    );
    expect(selectMessage(parsed, message)).toEqual({
      score: 42,
      topic: 'webcomm/local/scores/p1',
      player: 'p1',
      clientId: 'p1',
    });
  });

  it('without *, is the selected functions alone', () => {
    expect(selectMessage(parseRuleSql("SELECT clientid() AS c FROM '#'", 'r'), message)).toEqual({ c: 'p1' });
  });

  it('keeps a JSON value that is not an object as it is, and gives undefined for a payload that is not JSON', () => {
    const parsed = parseRuleSql("SELECT *, clientid() AS c FROM '#'", 'r');
    expect(selectMessage(parsed, { ...message, payload: bytes('[1,2]') })).toEqual([1, 2]);
    expect(selectMessage(parsed, { ...message, payload: bytes('not json') })).toBeUndefined();
    expect(selectMessage(parsed, { ...message, payload: Uint8Array.of(0xff, 0xfe) })).toBeUndefined();
  });
});
