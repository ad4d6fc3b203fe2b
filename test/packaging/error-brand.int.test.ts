import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// One app can hold several copies of core: its ESM and CJS builds (a dual-package hazard when
// one dependency imports and another requires), and core's `browser` build (MQTT.js inside; a bundler picks it for browsers).
// "Is this a WebcommError?" must answer the same across all of them (built dist/, pnpm test
// builds first).
const dist = (path: string): string => fileURLToPath(new URL(`../../packages/${path}`, import.meta.url));
const require = createRequire(import.meta.url);

interface CoreLike {
  WebcommError: new (
    code: string,
    message: string,
    options?: { fatal?: boolean },
  ) => Error & { code: string; fatal: boolean };
  isWebcommError: (error: unknown, code?: string) => boolean;
  ERROR_CODES: Record<string, string>;
}

const esm = (await import(dist('core/dist/index.js'))) as CoreLike;
const cjs = require(dist('core/dist/index.cjs')) as CoreLike;
const bundled = (await import(dist('core/dist/browser/index.js'))) as CoreLike;
const copies: Record<string, CoreLike> = { 'core ESM': esm, 'core CJS': cjs, 'core browser build': bundled };

describe('WebcommError across copies of core', () => {
  it('the copies really are different classes (the hazard exists)', () => {
    expect(esm.WebcommError).not.toBe(cjs.WebcommError);
    expect(esm.WebcommError).not.toBe(bundled.WebcommError);
  });

  for (const [madeBy, maker] of Object.entries(copies)) {
    for (const [checkedBy, checker] of Object.entries(copies)) {
      it(`an error made by ${madeBy} is a WebcommError to ${checkedBy}`, () => {
        const error = new maker.WebcommError(maker.ERROR_CODES.BANNED ?? '', 'banned', { fatal: true });
        expect(error instanceof checker.WebcommError).toBe(true);
        expect(checker.isWebcommError(error)).toBe(true);
        expect(checker.isWebcommError(error, checker.ERROR_CODES.BANNED)).toBe(true);
        expect(checker.isWebcommError(error, checker.ERROR_CODES.TIMEOUT)).toBe(false);
        expect(error instanceof Error).toBe(true);
      });
    }
  }

  it('other values are not WebcommErrors, look-alikes included', () => {
    for (const value of [
      new Error('x'),
      { code: 'WEBCOMM_BANNED', message: 'x' },
      null,
      undefined,
      'WEBCOMM_BANNED',
      Object.create(null),
    ]) {
      expect(value instanceof esm.WebcommError).toBe(false);
      expect(cjs.isWebcommError(value)).toBe(false);
    }
  });
});
