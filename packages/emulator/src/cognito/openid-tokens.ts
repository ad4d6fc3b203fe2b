/**
 * Cognito OpenID tokens for developer-authenticated identities, as AWS issues them
 * (`GetOpenIdTokenForDeveloperIdentity`): the service that registered a client hands it a token
 * whose `sub` is the identity id, and `GetCredentialsForIdentity` gives that identity's
 * credentials only with the token under the `cognito-identity.amazonaws.com` login. Knowing an
 * identity id (it is the client id, seen in presence events) is then worth nothing.
 *
 * Tokens are compact JWTs (HS256) signed with a key kept in the data directory (0600); only the
 * emulator verifies them, so a symmetric key is enough. Claims follow AWS's: `iss`
 * `https://cognito-identity.amazonaws.com`, `aud` the pool id, `sub` the identity id, `amr`.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Clock } from '../clock.js';
import type { OpenIdToken } from '../service/contracts.js';
import { readOrCreateSecretFile } from '../store/state-store.js';
import { sameSecret } from './local-identity-issuer.js';

/** The login key of Cognito's own OpenID tokens in a `Logins` map. */
export const COGNITO_LOGIN = 'cognito-identity.amazonaws.com';
const ISSUER = 'https://cognito-identity.amazonaws.com';

/** Why a token was refused (logged; never the token). */
export type OpenIdCheck = 'malformed' | 'bad-signature' | 'wrong-pool' | 'expired';

const b64 = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Issues and verifies the emulator's OpenID tokens. Use {@link OpenIdTokens.open}. */
export class OpenIdTokens {
  readonly #key: Buffer;
  readonly #poolId: string;
  readonly #ttlMs: number;
  readonly #clock: Clock;

  private constructor(key: Buffer, poolId: string, ttlMs: number, clock: Clock) {
    this.#key = key;
    this.#poolId = poolId;
    this.#ttlMs = ttlMs;
    this.#clock = clock;
  }

  /** Loads the signing key from `<dataDir>/openid-key` (created on first start, mode 0600). */
  static async open(
    dataDir: string,
    options: { identityPoolId: string; ttlMs: number; clock: Clock },
  ): Promise<OpenIdTokens> {
    const key = await readOrCreateSecretFile(join(dataDir, 'openid-key'), () => randomBytes(32).toString('base64url'));
    return new OpenIdTokens(Buffer.from(key, 'base64url'), options.identityPoolId, options.ttlMs, options.clock);
  }

  /** A token for `identityId`, valid for the configured time. */
  issue(identityId: string): OpenIdToken {
    const now = this.#clock.now();
    const expiresAt = new Date(now + this.#ttlMs);
    const header = b64({ alg: 'HS256', typ: 'JWT', kid: 'webcomm-emulator' });
    const payload = b64({
      iss: ISSUER,
      sub: identityId,
      aud: this.#poolId,
      amr: ['authenticated', 'webcomm-emulator', `webcomm-emulator:${this.#poolId}:${identityId}`],
      iat: Math.floor(now / 1000),
      exp: Math.floor(expiresAt.getTime() / 1000),
    });
    return { token: `${header}.${payload}.${this.#sign(`${header}.${payload}`)}`, expiresAt };
  }

  /** The identity id a token is for, or why it is refused. */
  verify(
    token: string,
  ): { readonly ok: true; readonly identityId: string } | { readonly ok: false; readonly check: OpenIdCheck } {
    const parts = token.split('.');
    if (parts.length !== 3 || token.length > 4_096) return { ok: false, check: 'malformed' };
    const [header = '', payload = '', signature = ''] = parts;
    if (!sameSecret(this.#sign(`${header}.${payload}`), signature)) return { ok: false, check: 'bad-signature' };
    let claims: { iss?: unknown; sub?: unknown; aud?: unknown; exp?: unknown };
    try {
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as typeof claims;
    } catch {
      return { ok: false, check: 'malformed' };
    }
    if (claims.iss !== ISSUER || typeof claims.sub !== 'string' || typeof claims.exp !== 'number')
      return { ok: false, check: 'malformed' };
    if (claims.aud !== this.#poolId) return { ok: false, check: 'wrong-pool' };
    if (claims.exp * 1000 <= this.#clock.now()) return { ok: false, check: 'expired' };
    return { ok: true, identityId: claims.sub };
  }

  #sign(input: string): string {
    return createHmac('sha256', this.#key).update(input).digest('base64url');
  }
}
