import { ERROR_CODES, WebcommError } from '@webcomm/core';
import { assertKnownOptions, optionKeys } from '@webcomm/core/internal'; // internal: assertKnownOptions, optionKeys
import { validateCredentials, type AwsCredentials, type CredentialsProvider } from './credentials.js';

/** Options of {@link credentialsFromFunction}. */
export interface RefreshOptions {
  /**
   * Credentials are fetched again this long before they expire, so a connection attempt
   * never signs with credentials about to lapse.
   * @default 300_000 (5 minutes)
   */
  readonly refreshMarginMs?: number;
  /**
   * Wall clock in milliseconds since the epoch; injectable for tests.
   * @default Date.now
   */
  readonly now?: () => number;
}

/** Defaults of {@link RefreshOptions}. */
export const REFRESH_DEFAULTS = {
  refreshMarginMs: 300_000,
  now: Date.now,
} as const satisfies Required<RefreshOptions>;

/** Every key of {@link RefreshOptions}. */
export const REFRESH_KEYS = optionKeys<RefreshOptions>({ refreshMarginMs: true, now: true });

function resolveRefreshOptions(options: RefreshOptions): Required<RefreshOptions> {
  assertKnownOptions(options, REFRESH_KEYS, 'credentialsFromFunction()');
  const resolved = { ...REFRESH_DEFAULTS, ...options };
  if (!Number.isFinite(resolved.refreshMarginMs) || resolved.refreshMarginMs < 0) {
    throw new WebcommError(
      ERROR_CODES.INVALID_OPTION,
      `refreshMarginMs must be a finite number ≥ 0 (got ${String(options.refreshMarginMs)}).`,
    );
  }
  if (typeof resolved.now !== 'function') {
    throw new WebcommError(ERROR_CODES.INVALID_OPTION, 'now must be a function returning epoch milliseconds.');
  }
  return resolved;
}

/**
 * Wraps a credentials source in a cache: the source is called only when there are no
 * credentials yet or they expire within `refreshMarginMs`; concurrent callers during a
 * refresh share one call. A failed refresh is not cached, so the next attempt retries.
 */
export function credentialsFromFunction(
  source: () => Promise<AwsCredentials> | AwsCredentials,
  options: RefreshOptions = {},
): CredentialsProvider {
  if (typeof source !== 'function') {
    throw new WebcommError(ERROR_CODES.INVALID_OPTION, 'credentialsFromFunction(source) needs a function.');
  }
  const { refreshMarginMs, now } = resolveRefreshOptions(options);
  let current: AwsCredentials | undefined;
  let inFlight: Promise<AwsCredentials> | undefined;

  const fresh = (c: AwsCredentials): boolean =>
    c.expiration === undefined || c.expiration.getTime() - refreshMarginMs > now();

  return () => {
    if (current !== undefined && fresh(current)) return Promise.resolve(current);
    if (inFlight !== undefined) return inFlight;
    const attempt = (async () => {
      try {
        const next = validateCredentials(await source(), 'the credentials function');
        current = next;
        return next;
      } finally {
        inFlight = undefined;
      }
    })();
    inFlight = attempt;
    return attempt;
  };
}
