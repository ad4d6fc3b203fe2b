/**
 * Cognito-style identities and temporary credentials, kept in the state store.
 * Backs the Cognito Identity JSON endpoint and the SigV4 verifier.
 */
import { createHash, createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { IdentityIssuer, OpenIdToken } from '../service/contracts.js';
import type { OpenIdCheck, OpenIdTokens } from './openid-tokens.js';
import type { StateStore, StoredIdentity } from '../store/state-store.js';
import type { Clock } from '../clock.js';

/** Why a credential lookup failed (logged, never the secret). */
export type CredentialCheck = 'unknown-access-key' | 'expired-credentials' | 'bad-session-token';

/** Credentials as handed to a client (and, without the token, to the SigV4 verifier). Secret. */
export interface IssuedCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly identityId: string;
  /** ISO 8601. */
  readonly expiresAt: string;
}

/** The result of looking credentials up by access key id. */
export type CredentialLookup =
  | { readonly ok: true; readonly credentials: Omit<IssuedCredentials, 'sessionToken'> }
  | { readonly ok: false; readonly check: CredentialCheck };

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** How many guest identities are kept, and for how long without credentials. */
export interface GuestIdentityLimits {
  /** A guest identity older than this with no live credentials is purged. @default 604800000 (7 days) */
  readonly ttlMs: number;
  /** Most guest identities kept; at it, stale ones are purged first, then `GetId` is refused. @default 10000 */
  readonly max: number;
}

/** The default {@link GuestIdentityLimits}. */
export const GUEST_IDENTITY_LIMITS: GuestIdentityLimits = { ttlMs: 7 * 24 * 3_600_000, max: 10_000 };

/** Thrown by {@link LocalIdentityIssuer.identityFor} when no more guest identities may be made. */
export class GuestIdentitiesFull extends Error {
  constructor(readonly max: number) {
    super(`${max} guest identities exist and none is stale; reuse a cached identity id or try later.`);
    this.name = 'GuestIdentitiesFull';
  }
}

const isGuest = (identity: StoredIdentity): boolean => identity.developer !== true && identity.logins.length === 0;

function randomKey(prefix: string, length: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const bytes = randomBytes(length);
  return prefix + Array.from(bytes, (byte) => alphabet[byte % 32]).join('');
}

/**
 * Issues identities (`region:uuid`) and credentials that expire after `credentialTtlMs`.
 * SigV4 verification needs the secret access key itself, so it cannot be stored hashed; it is
 * derived instead (HMAC of the access key id under `credentialKey`, a 0600 file), and the
 * database keeps only a hash of the session token: a copy of it lets no one sign.
 */
export class LocalIdentityIssuer implements IdentityIssuer {
  readonly identityPoolId: string;
  readonly region: string;
  readonly #store: StateStore;
  readonly #clock: Clock;
  readonly #credentialTtlMs: number;
  readonly #credentialKey: string;
  readonly #openIdTokens: OpenIdTokens;
  readonly #guests: GuestIdentityLimits;
  /** Guest identities stored, counted on first need. */
  #guestCount: number | undefined;

  constructor(
    store: StateStore,
    options: {
      region: string;
      identityPoolId: string;
      credentialTtlMs: number;
      clock: Clock;
      credentialKey: string;
      openIdTokens: OpenIdTokens;
      /** @default GUEST_IDENTITY_LIMITS */
      guests?: GuestIdentityLimits;
    },
  ) {
    this.#guests = options.guests ?? GUEST_IDENTITY_LIMITS;
    this.#store = store;
    this.#credentialKey = options.credentialKey;
    this.#openIdTokens = options.openIdTokens;
    this.region = options.region;
    this.identityPoolId = options.identityPoolId;
    this.#credentialTtlMs = options.credentialTtlMs;
    this.#clock = options.clock;
  }

  async ensureIdentity(clientId: string): Promise<string> {
    const existing = await this.#store.identities.get(clientId);
    // An identity registered before tokens existed becomes developer-authenticated on its next registration.
    if (existing?.developer !== true) {
      await this.#store.identities.put(clientId, {
        identityId: clientId,
        logins: [],
        createdAt: existing?.createdAt ?? new Date(this.#clock.now()).toISOString(),
        developer: true,
      });
    }
    return clientId;
  }

  async hasIdentity(identityId: string): Promise<boolean> {
    return (await this.#store.identities.get(identityId)) !== undefined;
  }

  openIdToken(identityId: string): OpenIdToken {
    return this.#openIdTokens.issue(identityId);
  }

  /** The identity a Cognito OpenID token proves, or why it does not. */
  verifyOpenIdToken(
    token: string,
  ): { readonly ok: true; readonly identityId: string } | { readonly ok: false; readonly check: OpenIdCheck } {
    return this.#openIdTokens.verify(token);
  }

  /** The identity, or undefined. */
  async getIdentity(identityId: string): Promise<StoredIdentity | undefined> {
    return this.#store.identities.get(identityId);
  }

  /**
   * A new guest identity, or the identity bound to these developer logins (created on first use).
   * @throws GuestIdentitiesFull when the guest limit is reached and no guest is stale
   */
  async identityFor(loginKeys: readonly string[]): Promise<string> {
    for (const key of loginKeys) {
      const known = await this.#store.loginIndex.get(key);
      if (known !== undefined) return known;
    }
    if (loginKeys.length === 0) {
      if ((await this.guestCount()) >= this.#guests.max) await this.purgeStaleGuests();
      if ((this.#guestCount ?? 0) >= this.#guests.max) throw new GuestIdentitiesFull(this.#guests.max);
      this.#guestCount = (this.#guestCount ?? 0) + 1;
    }
    const identityId = `${this.region}:${randomUUID()}`;
    await this.#store.identities.put(identityId, {
      identityId,
      logins: [...loginKeys],
      createdAt: new Date(this.#clock.now()).toISOString(),
    });
    for (const key of loginKeys) await this.#store.loginIndex.put(key, identityId);
    return identityId;
  }

  /** Issues fresh credentials for a known identity. */
  async issueCredentials(identityId: string): Promise<IssuedCredentials> {
    const accessKeyId = randomKey('ASIA', 16);
    const sessionToken = randomBytes(96).toString('base64');
    const expiresAt = new Date(this.#clock.now() + this.#credentialTtlMs).toISOString();
    await this.#store.credentials.put(accessKeyId, {
      accessKeyId,
      sessionTokenSha256: sha256(sessionToken),
      identityId,
      expiresAt,
    });
    return { accessKeyId, secretAccessKey: this.#secretFor(accessKeyId), sessionToken, identityId, expiresAt };
  }

  /** Finds live credentials; checks the session token when one is given. */
  async lookup(accessKeyId: string, sessionToken: string | undefined): Promise<CredentialLookup> {
    const credentials = await this.#store.credentials.get(accessKeyId);
    if (credentials?.sessionTokenSha256 === undefined) return { ok: false, check: 'unknown-access-key' };
    if (Date.parse(credentials.expiresAt) <= this.#clock.now()) return { ok: false, check: 'expired-credentials' };
    if (sessionToken === undefined || !sameSecret(sha256(sessionToken), credentials.sessionTokenSha256))
      return { ok: false, check: 'bad-session-token' };
    const { identityId, expiresAt } = credentials;
    return {
      ok: true,
      credentials: { accessKeyId, secretAccessKey: this.#secretFor(accessKeyId), identityId, expiresAt },
    };
  }

  /** The secret access key of an access key id (40 characters, like AWS's). */
  #secretFor(accessKeyId: string): string {
    return createHmac('sha256', this.#credentialKey).update(accessKeyId).digest('base64').slice(0, 40);
  }

  /**
   * Deletes credentials past their expiry (they can never verify again), records from before
   * secrets were kept out of the database (they held the secret key and token in clear), and
   * stale guest identities ({@link purgeStaleGuests}). Run at start.
   */
  async purgeExpired(): Promise<number> {
    const doomed: string[] = [];
    for await (const credentials of this.#store.credentials.values()) {
      const legacy = credentials.sessionTokenSha256 === undefined;
      if (legacy || Date.parse(credentials.expiresAt) <= this.#clock.now()) doomed.push(credentials.accessKeyId);
    }
    await Promise.all(doomed.map((key) => this.#store.credentials.del(key)));
    return doomed.length + (await this.purgeStaleGuests());
  }

  /** Guest identities stored now. */
  async guestCount(): Promise<number> {
    if (this.#guestCount === undefined) {
      let count = 0;
      for await (const identity of this.#store.identities.values()) if (isGuest(identity)) count += 1;
      this.#guestCount = count;
    }
    return this.#guestCount;
  }

  /**
   * Deletes guest identities older than the guest TTL that hold no live credentials (a guest in
   * use gets new credentials at least hourly). A client whose cached id went asks `GetId` again.
   */
  async purgeStaleGuests(): Promise<number> {
    const now = this.#clock.now();
    const inUse = new Set<string>();
    for await (const credentials of this.#store.credentials.values())
      if (Date.parse(credentials.expiresAt) > now) inUse.add(credentials.identityId);
    const doomed: string[] = [];
    let kept = 0;
    for await (const identity of this.#store.identities.values()) {
      if (!isGuest(identity)) continue;
      if (Date.parse(identity.createdAt) + this.#guests.ttlMs <= now && !inUse.has(identity.identityId))
        doomed.push(identity.identityId);
      else kept += 1;
    }
    await Promise.all(doomed.map((id) => this.#store.identities.del(id)));
    this.#guestCount = kept;
    return doomed.length;
  }

  async revokeIdentity(clientId: string): Promise<void> {
    const doomed: string[] = [];
    for await (const credentials of this.#store.credentials.values()) {
      if (credentials.identityId === clientId) doomed.push(credentials.accessKeyId);
    }
    await Promise.all(doomed.map((key) => this.#store.credentials.del(key)));
  }
}

/** Constant-time comparison of two secrets. */
export function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
