import { describe, expect, it } from 'vitest';
import { MAX_STRIKES, REFUSAL_WINDOW_MS } from '../connection/refusal-by-close.js';
import { RefusalTracker } from './refusal-tracker.js';

describe('RefusalTracker', () => {
  it('a lone SUBSCRIBE closed twice is refused after 2 drops; its companions are cleared by their SUBACK', () => {
    const t = new RefusalTracker();
    t.sent(['good', 'bad'], 0);
    expect(t.linkClosed(10, 0)).toEqual({ attributed: true, refused: [] });
    expect(t.isSuspect('good') && t.isSuspect('bad')).toBe(true);
    t.sent(['good'], 100);
    t.answered(['good']);
    expect(t.isSuspect('good')).toBe(false);
    t.sent(['bad'], 200);
    expect(t.linkClosed(210, 0)).toEqual({ attributed: true, refused: [{ filter: 'bad', drops: 2 }] });
    expect(t.isSuspect('bad')).toBe(false);
  });

  it('never costs more than MAX_STRIKES drops, also when never alone', () => {
    const t = new RefusalTracker();
    const verdicts = [];
    for (let i = 0; i < MAX_STRIKES; i++) {
      t.sent(['bad'], i * 100);
      verdicts.push(t.linkClosed(i * 100 + 1, 1)); // a publish was in flight too each time
    }
    expect(verdicts.map((v) => v.refused.length)).toEqual([0, 0, 1]);
  });

  it('a close long after the SUBSCRIBE, or with nothing in flight, is not a refusal', () => {
    const t = new RefusalTracker();
    t.sent(['slow'], 0);
    expect(t.recent(REFUSAL_WINDOW_MS + 1)).toBe(0);
    expect(t.linkClosed(REFUSAL_WINDOW_MS + 1, 0)).toEqual({ attributed: false, refused: [] });
    expect(t.isSuspect('slow')).toBe(false);
    expect(t.linkClosed(0, 0)).toEqual({ attributed: false, refused: [] });
  });
});
