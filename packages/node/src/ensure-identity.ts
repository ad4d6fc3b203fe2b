import { X509Certificate } from 'node:crypto';
import type { ConnectionType, Logger, RegistrationResponse } from '@webcomm/core';
import { ERROR_CODES, registerClient, WebcommError } from '@webcomm/core';
import { assertKnownOptions, optionKeys } from '@webcomm/core/internal'; // internal: assertKnownOptions, optionKeys
import { onCacheDir } from './cache-dir-error.js';
import { clearCachedIdentity, defaultCacheDir, readCachedIdentity, writeCachedIdentity } from './identity-cache.js';
import { lockIdentity, type LockHolder } from './identity-lock.js';

/** What a process does when another live process holds the cached identity. */
export type IdentityInUsePolicy =
  /** Use the next free slot beside it (`<cacheDir>-2`, `-3`, …), registering a new identity there the first time. */
  | 'next-slot'
  /** Fail with `IDENTITY_IN_USE`. */
  | 'error';

/** Options of {@link ensureIdentity}. */
export interface EnsureIdentityOptions {
  /** Base URL of the Web Communicator service (the emulator's `endpoints.http`). */
  readonly serviceUrl: string;
  /** @default "OPENSSL" */
  readonly type?: ConnectionType;
  /**
   * Directory of the cached identity: certificate, private key (0600), CA and the registration
   * answer with the service token (0600), in a directory only the user can read (0700). A
   * process using the identity holds `<cacheDir>.lock` (its pid) until it closes or exits; a
   * second process on the same host gets its own identity in `<cacheDir>-2` (then `-3`, …, up
   * to 64), kept there for its next start (see `onIdentityInUse`). A lock left by a process
   * that died is taken over.
   * @default `~/.webcomm/<service host>_<port>`
   */
  readonly cacheDir?: string;
  /**
   * When another live process holds the identity in `cacheDir`: `'next-slot'` gives this
   * process its own identity in the next free slot, so a fleet of dedicated servers on one
   * host needs no configuration; `'error'` fails with `IDENTITY_IN_USE` instead.
   * @default 'next-slot'
   */
  readonly onIdentityInUse?: IdentityInUsePolicy;
  /** Ignore the cache and register again (keeping the client id when one is cached). */
  readonly renew?: boolean;
  /**
   * The operator's admin token, for a first registration: the service issues certificates only
   * to the operator by default. Not needed once the identity is cached, nor when the cache
   * directory holds the files of `webcomm register-client --out DIR`. Secret.
   */
  readonly adminToken?: string;
  /** With `adminToken`: channels to grant this identity direct broker publish on. */
  readonly publish?: readonly string[];
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** @default () => new Date() */
  readonly now?: () => Date;
  /** Where a cached identity that cannot be used is reported, before registering again. @default silentLogger */
  readonly logger?: Logger;
}

/** An identity, and whether it came from the cache. */
export interface EnsuredIdentity {
  readonly registration: RegistrationResponse;
  readonly fromCache: boolean;
  /** The directory actually used: `cacheDir`, or a numbered slot beside it. */
  readonly cacheDir: string;
  /** 1 for `cacheDir` itself, n for `<cacheDir>-n`. */
  readonly slot: number;
  /** Releases this process's lock on the identity (the node client does it on `close()`). */
  release(): Promise<void>;
}

const ENSURE_IDENTITY_KEYS = optionKeys<EnsureIdentityOptions>({
  serviceUrl: true,
  type: true,
  cacheDir: true,
  onIdentityInUse: true,
  renew: true,
  adminToken: true,
  publish: true,
  fetch: true,
  now: true,
  logger: true,
});

/** Identity slots per cache directory: more processes than this on one host is a mistake. */
export const MAX_IDENTITY_SLOTS = 64;

/** The directory of slot `n` of `base`. */
export const slotDir = (base: string, slot: number): string => (slot === 1 ? base : `${base}-${slot}`);

function inUse(base: string, holder: LockHolder, why: string): WebcommError {
  const who = holder.pid > 0 ? `process ${holder.pid} on ${holder.host}` : 'another process';
  return new WebcommError(
    ERROR_CODES.IDENTITY_IN_USE,
    `The cached identity in ${base} is in use by ${who} (lock ${holder.file})${why}. Stop that process, give this one its own cacheDir, or use onIdentityInUse: 'next-slot'.`,
    { fatal: true },
  );
}

/**
 * The cached identity when there is a usable one, else a fresh registration (cached for next
 * time), locked for this process: see `cacheDir` for how two processes on one host share a
 * cache. A cached certificate that has expired is replaced by registering again under the same
 * client id; `renew` forces that (after the broker rejected the certificate). Call `release()`
 * when done (the node client does on `close()`); the lock also goes when the process exits.
 */
export async function ensureIdentity(options: EnsureIdentityOptions): Promise<EnsuredIdentity> {
  assertKnownOptions(options, ENSURE_IDENTITY_KEYS, 'ensureIdentity()');
  const policy = options.onIdentityInUse ?? 'next-slot';
  if (policy !== 'next-slot' && policy !== 'error') {
    throw new WebcommError(
      ERROR_CODES.INVALID_OPTION,
      `Option "onIdentityInUse" must be 'next-slot' or 'error' (got ${String(policy)}).`,
    );
  }
  const base = options.cacheDir ?? defaultCacheDir(options.serviceUrl);
  let first: LockHolder | undefined;
  for (let slot = 1; slot <= MAX_IDENTITY_SLOTS; slot += 1) {
    const dir = slotDir(base, slot);
    const result = await onCacheDir(dir, 'lock', () => lockIdentity(dir));
    if ('heldBy' in result) {
      if (policy === 'error') throw inUse(base, result.heldBy, '');
      first ??= result.heldBy;
      continue;
    }
    try {
      const identity = await loadOrRegister(dir, options);
      return { ...identity, cacheDir: dir, slot, release: result.lock.release };
    } catch (error) {
      await result.lock.release();
      throw error;
    }
  }
  throw inUse(base, first as LockHolder, `, and so are all ${MAX_IDENTITY_SLOTS} slots beside it`);
}

/** The cached identity in `dir` if usable, else a registration cached there. No locking: the caller holds the lock. */
export async function loadOrRegister(
  dir: string,
  options: Omit<EnsureIdentityOptions, 'cacheDir' | 'onIdentityInUse'>,
): Promise<{ registration: RegistrationResponse; fromCache: boolean }> {
  const type = options.type ?? 'OPENSSL';
  const cached = await onCacheDir(dir, 'read the identity cache in', () => readCachedIdentity(dir));
  const now = (options.now ?? (() => new Date()))();
  const unusable = cached === undefined ? undefined : certificateProblem(cached, now);
  if (cached !== undefined && unusable !== undefined && !options.renew) {
    options.logger?.warn(
      `The cached certificate in ${dir} ${unusable}: registering again under client id ${cached.clientId}.`,
      { cacheDir: dir, clientId: cached.clientId },
    );
  }
  const usable = cached !== undefined && cached.connectionType === type && !options.renew && unusable === undefined;
  if (usable) return { registration: cached, fromCache: true };
  const registration = await registerClient({
    serviceUrl: options.serviceUrl,
    type,
    ...(cached === undefined ? {} : { clientId: cached.clientId, serviceToken: cached.serviceToken }),
    ...(options.adminToken === undefined ? {} : { adminToken: options.adminToken }),
    ...(options.adminToken === undefined || options.publish === undefined ? {} : { publish: options.publish }),
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
  });
  await onCacheDir(dir, 'write the identity cache in', async () => {
    await clearCachedIdentity(dir);
    await writeCachedIdentity(dir, registration);
  });
  return { registration, fromCache: false };
}

/** Why the cached certificate cannot be used (it expired, it cannot be read), or undefined when it can. */
function certificateProblem(registration: RegistrationResponse, now: Date): string | undefined {
  if (registration.certificatePem === undefined) return undefined;
  let validTo: Date;
  try {
    validTo = new Date(new X509Certificate(registration.certificatePem).validTo);
  } catch (error) {
    return `cannot be read (${(error as Error).message})`;
  }
  return validTo <= now ? `expired at ${validTo.toISOString()}` : undefined;
}
