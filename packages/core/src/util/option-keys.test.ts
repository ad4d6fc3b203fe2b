import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CLIENT_OPTION_KEYS } from '../client-option-keys.js';
import { ERROR_CODES, type WebcommError } from '../errors.js';
import { assertKnownOptions, closestOption, editDistance, pickOptions } from './option-keys.js';
import { validateUrl } from './validate-url.js';

const thrown = (run: () => unknown): WebcommError => {
  try {
    run();
  } catch (error) {
    return error as WebcommError;
  }
  throw new Error('expected a throw');
};

// A plain dynamic-programming Levenshtein with the adjacent swap, written differently (recursive,
// memoised) as the reference for the property test.
function reference(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  const memo = new Map<string, number>();
  const d = (i: number, j: number): number => {
    if (i === 0) return j;
    if (j === 0) return i;
    const key = `${i},${j}`;
    const hit = memo.get(key);
    if (hit !== undefined) return hit;
    let best = Math.min(d(i - 1, j) + 1, d(i, j - 1) + 1, d(i - 1, j - 1) + (s[i - 1] === t[j - 1] ? 0 : 1));
    if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) best = Math.min(best, d(i - 2, j - 2) + 1);
    memo.set(key, best);
    return best;
  };
  return d(s.length, t.length);
}

describe('editDistance', () => {
  it('counts insertions, deletions, substitutions and swaps, ignoring case', () => {
    expect(editDistance('publsh', 'publish')).toBe(1);
    expect(editDistance('keepAliveSeconds', 'keepaliveSeconds')).toBe(0);
    expect(editDistance('pubilsh', 'publish')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });

  it('matches a reference implementation, is symmetric and zero only on equal (case-folded) strings', () => {
    const word = fc.string({ unit: fc.constantFrom(...'abcdeAB_'), maxLength: 8 });
    fc.assert(
      fc.property(word, word, (a, b) => {
        const d = editDistance(a, b);
        expect(d).toBe(reference(a, b));
        expect(editDistance(b, a)).toBe(d);
        expect(d === 0).toBe(a.toLowerCase() === b.toLowerCase());
        expect(d).toBeLessThanOrEqual(Math.max(a.length, b.length));
      }),
    );
  });
});

describe('closestOption', () => {
  it('suggests the nearest valid key, or one the key starts, or nothing', () => {
    expect(closestOption('publsh', ['channels', 'publish'])).toBe('publish');
    expect(closestOption('keepAliveSeconds', CLIENT_OPTION_KEYS)).toBe('keepaliveSeconds');
    expect(closestOption('keepalive', CLIENT_OPTION_KEYS)).toBe('keepaliveSeconds');
    expect(closestOption('connectTimeout', CLIENT_OPTION_KEYS)).toBe('connectTimeoutMs');
    expect(closestOption('zzzzzz', CLIENT_OPTION_KEYS)).toBeUndefined();
  });

  it('a one-edit typo of any client option is traced back to an option at most one edit away', () => {
    const typo = fc
      .tuple(
        fc.constantFrom(...CLIENT_OPTION_KEYS),
        fc.nat(),
        fc.constantFrom('delete', 'insert', 'swap', 'replace'),
        fc.constantFrom(...'qxzj'),
      )
      .map(([key, at, kind, char]) => {
        const i = at % key.length;
        const typoed =
          kind === 'delete'
            ? key.slice(0, i) + key.slice(i + 1)
            : kind === 'insert'
              ? key.slice(0, i) + char + key.slice(i)
              : kind === 'swap' && i + 1 < key.length
                ? key.slice(0, i) + key[i + 1] + key[i] + key.slice(i + 2)
                : key.slice(0, i) + char + key.slice(i + 1);
        return { key, typoed };
      })
      .filter(({ typoed }) => !CLIENT_OPTION_KEYS.includes(typoed));
    fc.assert(
      fc.property(typo, ({ key, typoed }) => {
        const suggestion = closestOption(typoed, CLIENT_OPTION_KEYS);
        expect(suggestion).toBeDefined();
        expect(editDistance(typoed, suggestion as string)).toBeLessThanOrEqual(editDistance(typoed, key));
        expect(thrown(() => assertKnownOptions({ [typoed]: 1 }, CLIENT_OPTION_KEYS, 'X')).message).toContain(
          `did you mean "${suggestion}"?`,
        );
      }),
    );
  });
});

describe('assertKnownOptions', () => {
  it('names the entry point, the key with its path, and the suggestion', () => {
    const error = thrown(() => assertKnownOptions({ publsh: {} }, ['publish', 'tls'], 'createNodeClient()'));
    expect(error.code).toBe(ERROR_CODES.INVALID_OPTION);
    expect(error.message).toBe('createNodeClient(): unknown option "publsh"; did you mean "publish"?');
    expect(
      thrown(() => assertKnownOptions({ initalDelayMs: 1 }, ['initialDelayMs'], 'WebcommClient', 'backoff')).message,
    ).toBe('WebcommClient: unknown option "backoff.initalDelayMs"; did you mean "backoff.initialDelayMs"?');
    expect(thrown(() => assertKnownOptions({ color: 'red' }, ['host', 'port'], 'tcpTransport()')).message).toBe(
      'tcpTransport(): unknown option "color"; valid options are "host", "port".',
    );
  });

  it('accepts every valid key (even undefined), ignores non-objects and inherited keys', () => {
    fc.assert(
      fc.property(fc.subarray([...CLIENT_OPTION_KEYS]), (keys) => {
        expect(() =>
          assertKnownOptions(Object.fromEntries(keys.map((k) => [k, undefined])), CLIENT_OPTION_KEYS, 'X'),
        ).not.toThrow();
      }),
    );
    expect(() => assertKnownOptions(undefined, [], 'X')).not.toThrow();
    expect(() => assertKnownOptions('text', [], 'X')).not.toThrow();
    expect(() => assertKnownOptions(Object.create({ inherited: 1 }) as object, [], 'X')).not.toThrow();
  });

  it('refuses any key outside the valid set', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 20 }).filter((k) => !CLIENT_OPTION_KEYS.includes(k) && k !== '__proto__'),
        (key) => {
          const error = thrown(() => assertKnownOptions({ clientId: 'a', [key]: 1 }, CLIENT_OPTION_KEYS, 'X'));
          expect(error.code).toBe(ERROR_CODES.INVALID_OPTION);
          expect(error.message).toContain(`unknown option "${key}"`);
        },
      ),
    );
  });

  it('pickOptions keeps only the given own keys', () => {
    expect(pickOptions({ a: 1, b: 2, c: undefined }, ['a', 'c'])).toEqual({ a: 1, c: undefined });
  });
});

describe('validateUrl', () => {
  const web = ['https:', 'http:'] as const;
  it('returns the URL for an allowed scheme', () => {
    expect(validateUrl('http://127.0.0.1:8080/api', 'serviceUrl', web).href).toBe('http://127.0.0.1:8080/api');
  });

  it('names the option, the value and the fix', () => {
    expect(thrown(() => validateUrl('localhost:8080', 'serviceUrl', web)).message).toBe(
      'Option "serviceUrl" must be a URL starting with https:// or http:// (got "localhost:8080"); did you mean "http://localhost:8080"?',
    );
    expect(thrown(() => validateUrl('api.example.com', 'serviceUrl', web)).message).toContain(
      'did you mean "https://api.example.com"?',
    );
    expect(thrown(() => validateUrl('ftp://h', 'serviceUrl', web)).message).toContain(
      '(got "ftp://h"); ftp:// is not one of them.',
    );
    expect(thrown(() => validateUrl('http://h:99999', 'serviceUrl', web)).message).toContain('does not parse as a URL');
    expect(thrown(() => validateUrl(undefined, 'serviceUrl', web)).message).toContain(
      '(got undefined); pass a string like "https://host:port"',
    );
    const error = thrown(() => validateUrl('http://exa mple.com', 'endpoint', web));
    expect(error.code).toBe(ERROR_CODES.INVALID_OPTION);
    expect(error.fatal).toBe(true);
    expect((error.cause as { code?: string }).code).toBe('ERR_INVALID_URL');
  });
});
