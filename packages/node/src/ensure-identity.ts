import { X509Certificate } from 'node:crypto';
import type { ConnectionType, RegistrationResponse } from '@webcomm/core';
import { clearCachedIdentity, defaultCacheDir, readCachedIdentity, writeCachedIdentity } from './identity-cache.js';
import { registerClient } from '@webcomm/core';

/** Options of {@link ensureIdentity}. */
export interface EnsureIdentityOptions {
  /** Base URL of the Web Communicator service (the emulator's `endpoints.http`). */
  readonly serviceUrl: string;
  /** @default "OPENSSL" */
  readonly type?: ConnectionType;
  /** Where the identity is cached. @default `~/.webcomm/<service host>_<port>` */
  readonly cacheDir?: string;
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
}

/** An identity, and whether it came from the cache. */
export interface EnsuredIdentity {
  readonly registration: RegistrationResponse;
  readonly fromCache: boolean;
  readonly cacheDir: string;
}

/**
 * The cached identity when there is a usable one, else a fresh registration (cached for next
 * time). A cached certificate that has expired is replaced by registering again under the same
 * client id; `renew` forces that (after the broker rejected the certificate).
 */
export async function ensureIdentity(options: EnsureIdentityOptions): Promise<EnsuredIdentity> {
  const type = options.type ?? 'OPENSSL';
  const cacheDir = options.cacheDir ?? defaultCacheDir(options.serviceUrl);
  const cached = await readCachedIdentity(cacheDir);
  const now = (options.now ?? (() => new Date()))();
  const usable = cached !== undefined && cached.connectionType === type && !options.renew && !certificateExpired(cached, now);
  if (usable) return { registration: cached, fromCache: true, cacheDir };
  const registration = await registerClient({
    serviceUrl: options.serviceUrl,
    type,
    ...(cached === undefined ? {} : { clientId: cached.clientId, serviceToken: cached.serviceToken }),
    ...(options.adminToken === undefined ? {} : { adminToken: options.adminToken }),
    ...(options.adminToken === undefined || options.publish === undefined ? {} : { publish: options.publish }),
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
  });
  await clearCachedIdentity(cacheDir);
  await writeCachedIdentity(cacheDir, registration);
  return { registration, fromCache: false, cacheDir };
}

function certificateExpired(registration: RegistrationResponse, now: Date): boolean {
  if (registration.certificatePem === undefined) return false;
  try {
    return new Date(new X509Certificate(registration.certificatePem).validTo) <= now;
  } catch {
    return true; // an unreadable cached certificate is as good as expired: register again
  }
}
