import { ERROR_CODES, WebcommError } from '../errors.js';

/**
 * Parses a URL given as an option, or throws `INVALID_OPTION` naming the option, the value and
 * the fix, instead of the platform's bare `ERR_INVALID_URL` / `TypeError: Invalid URL`. The one
 * URL check of every package (`serviceUrl`, `endpoint`, Cognito endpoints).
 *
 * @param value - what the user passed.
 * @param optionName - the option, as the user wrote it (e.g. `"serviceUrl"`).
 * @param allowedProtocols - accepted schemes with their colon, e.g. `['https:', 'http:']`.
 * @returns the parsed URL.
 *
 * @example
 * ```ts
 * validateUrl('localhost:8080', 'serviceUrl', ['https:', 'http:']);
 * // WEBCOMM_INVALID_OPTION: Option "serviceUrl" must be a URL starting with https:// or http:// (got "localhost:8080"); did you mean "http://localhost:8080"?
 * ```
 */
export function validateUrl(value: unknown, optionName: string, allowedProtocols: readonly string[]): URL {
  const schemes = allowedProtocols.map((p) => `${p}//`).join(' or ');
  const fail = (why: string, cause?: unknown): never => {
    throw new WebcommError(
      ERROR_CODES.INVALID_OPTION,
      `Option "${optionName}" must be a URL starting with ${schemes} (got ${JSON.stringify(value) ?? String(value)}); ${why}`,
      {
        ...(cause === undefined ? {} : { cause }),
        fatal: true,
      },
    );
  };
  if (typeof value !== 'string' || value.trim() === '')
    return fail(`pass a string like "${allowedProtocols[0] ?? 'https:'}//host:port".`);
  const hasScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(value);
  // "localhost:8080" parses as scheme "localhost:"; say what was probably meant.
  const withScheme = (): string =>
    `${allowedProtocols.includes('http:') && /^(localhost|127\.|\[::1\])/i.test(value) ? 'http:' : (allowedProtocols[0] ?? 'https:')}//${value}`;
  if (!hasScheme) return fail(`did you mean "${withScheme()}"?`);
  let url: URL;
  try {
    url = new URL(value);
  } catch (cause) {
    return fail('it does not parse as a URL: check for spaces, a missing host or a stray character.', cause);
  }
  if (!allowedProtocols.includes(url.protocol)) return fail(`${url.protocol}// is not one of them.`);
  if (url.hostname === '') return fail('it has no host.');
  return url;
}
