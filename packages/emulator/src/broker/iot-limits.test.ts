import { describe, expect, it } from 'vitest';
import { clampKeepalive, clientIdProblem, IOT_LIMITS, topicProblem } from './iot-limits.js';

describe('IoT Core limits', () => {
  it.each([
    [0, 1200],
    [1, 30],
    [29, 30],
    [30, 30],
    [1200, 1200],
    [1201, 1200],
    [65535, 1200],
  ])('keepalive %i becomes %i', (requested, applied) => {
    expect(clampKeepalive(requested, IOT_LIMITS)).toBe(applied);
  });

  it('checks topic length and slashes, exempting the reserved prefix', () => {
    expect(topicProblem('a/b/c/d/e/f/g/h', IOT_LIMITS)).toBeUndefined();
    expect(topicProblem('a/b/c/d/e/f/g/h/i', IOT_LIMITS)).toEqual({
      reason: 'topic-too-deep',
      message: 'topic has more than 7 slashes',
    });
    expect(topicProblem('$aws/things/t/shadow/name/n/update/accepted/x/y', IOT_LIMITS)).toBeUndefined();
    expect(topicProblem('x'.repeat(256), IOT_LIMITS)).toBeUndefined();
    expect(topicProblem('é'.repeat(128), IOT_LIMITS)).toBeUndefined();
    expect(topicProblem('x'.repeat(257), IOT_LIMITS)?.reason).toBe('topic-too-long');
    expect(topicProblem('é'.repeat(129), IOT_LIMITS)).toEqual({
      reason: 'topic-too-long',
      message: 'topic longer than 256 bytes',
    });
    expect(topicProblem('', IOT_LIMITS)?.reason).toBe('topic-empty');
  });

  it('checks client ids', () => {
    expect(clientIdProblem('c'.repeat(128), IOT_LIMITS)).toBeUndefined();
    expect(clientIdProblem('c'.repeat(129), IOT_LIMITS)?.reason).toBe('client-id-too-long');
    expect(clientIdProblem('$x', IOT_LIMITS)?.reason).toBe('client-id-reserved');
    expect(clientIdProblem('', IOT_LIMITS)?.reason).toBe('client-id-empty');
    expect(clientIdProblem('a\u0000b', IOT_LIMITS)?.reason).toBe('client-id-invalid');
  });
});
