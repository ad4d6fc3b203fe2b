import { describe, expect, it } from 'vitest';
import { MAX_STRIKES, REFUSAL_WINDOW_MS, strikeOnClose, withinRefusalWindow } from './refusal-by-close.js';

describe('the refusal-by-close rule', () => {
  it('refuses a lone suspect at its second strike', () => {
    expect(strikeOnClose(0, 1)).toEqual({ strikes: 1, refused: false });
    expect(strikeOnClose(1, 1)).toEqual({ strikes: 2, refused: true });
  });

  it('counts SUBSCRIBEs and publishes together: a suspect with company is not alone', () => {
    expect(strikeOnClose(1, 2)).toEqual({ strikes: 2, refused: false });
  });

  it('refuses any suspect at MAX_STRIKES', () => {
    expect(strikeOnClose(MAX_STRIKES - 2, 5).refused).toBe(false);
    expect(strikeOnClose(MAX_STRIKES - 1, 5)).toEqual({ strikes: MAX_STRIKES, refused: true });
  });

  it('suspects only requests sent within the window before the close', () => {
    expect(withinRefusalWindow(1_000, 1_000 + REFUSAL_WINDOW_MS)).toBe(true);
    expect(withinRefusalWindow(1_000, 1_001 + REFUSAL_WINDOW_MS)).toBe(false);
  });
});
