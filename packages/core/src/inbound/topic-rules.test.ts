import { describe, expect, it } from 'vitest';
import { ERROR_CODES, WebcommError } from '../errors.js';
import { IOT_CORE_LIMITS, assertFilter, assertPayloadSize, assertPublishTopic } from './topic-rules.js';

function ruleOf(fn: () => void): string | undefined {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(WebcommError);
    return /rule "([^"]+)"/.exec((error as Error).message)?.[1] ?? (error as WebcommError).code;
  }
  return undefined;
}

describe('topic rules', () => {
  const L = IOT_CORE_LIMITS;

  it('accepts ordinary topics and filters', () => {
    expect(ruleOf(() => assertPublishTopic('game/1/score', L))).toBeUndefined();
    expect(ruleOf(() => assertFilter('game/+/score', L))).toBeUndefined();
    expect(ruleOf(() => assertFilter('game/#', L))).toBeUndefined();
    expect(ruleOf(() => assertFilter('#', L))).toBeUndefined();
    expect(ruleOf(() => assertPublishTopic('a/b/c/d/e/f/g/h', L))).toBeUndefined();
  });

  it('names the broken rule', () => {
    expect(ruleOf(() => assertPublishTopic('a/+/b', L))).toBe('no-wildcard');
    expect(ruleOf(() => assertPublishTopic('a/#', L))).toBe('no-wildcard');
    expect(ruleOf(() => assertPublishTopic('', L))).toBe('non-empty');
    expect(ruleOf(() => assertPublishTopic('bad\uD800', L))).toBe('utf-8');
    expect(ruleOf(() => assertPublishTopic('x'.repeat(257), L))).toBe('max-bytes');
    expect(ruleOf(() => assertPublishTopic('é'.repeat(129), L))).toBe('max-bytes');
    expect(ruleOf(() => assertPublishTopic('a/b/c/d/e/f/g/h/i', L))).toBe('max-levels');
    expect(ruleOf(() => assertFilter('a/#/b', L))).toBe('hash-last');
    expect(ruleOf(() => assertFilter('a/b#', L))).toBe('hash-last');
    expect(ruleOf(() => assertFilter('a/b+', L))).toBe('plus-whole-level');
  });

  it('accepts a valid surrogate pair (emoji) and respects custom limits', () => {
    expect(ruleOf(() => assertPublishTopic('game/🎮', L))).toBeUndefined();
    expect(ruleOf(() => assertPublishTopic('a/b/c', { ...L, maxTopicLevels: 2 }))).toBe('max-levels');
  });

  it('rejects oversized payloads with INVALID_PAYLOAD', () => {
    expect(ruleOf(() => assertPayloadSize('t', new Uint8Array(128 * 1024), L))).toBeUndefined();
    expect(ruleOf(() => assertPayloadSize('t', new Uint8Array(128 * 1024 + 1), L))).toBe(ERROR_CODES.INVALID_PAYLOAD);
  });
});
