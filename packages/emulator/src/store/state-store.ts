/**
 * The broker side's on-disk state: one classic-level database under the data directory
 * holding identities, credentials and issued certificates, plus small secret files.
 */
import { mkdir, open, readFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { ClassicLevel } from 'classic-level';

/** A Cognito-style identity the emulator issued. */
export interface StoredIdentity {
  readonly identityId: string;
  /** SHA-256 (hex) of the keys (`JSON.stringify([provider, token])`) of the developer logins bound to it; empty for guests. */
  readonly logins: string[];
  /** Registered by the service: credentials only with its Cognito OpenID token (developer-authenticated). */
  readonly developer?: boolean;
  readonly createdAt: string;
}

/**
 * Temporary credentials issued for an identity, as kept on disk: nothing usable. The session
 * token is stored as its SHA-256; the secret access key is not stored at all (it is derived from
 * the access key id and the data directory's `credential-key`, see LocalIdentityIssuer).
 */
export interface StoredCredentials {
  readonly accessKeyId: string;
  /** Hex SHA-256 of the session token. */
  readonly sessionTokenSha256: string;
  readonly identityId: string;
  /** ISO 8601. */
  readonly expiresAt: string;
}

/** A client certificate the local CA issued. */
export interface StoredCertificate {
  readonly serialNumber: string;
  readonly clientId: string;
  readonly expiresAt: string;
  readonly revoked: boolean;
}

/** The slice of a classic-level sublevel the broker uses. */
export interface Table<V> {
  get(key: string): Promise<V | undefined>;
  put(key: string, value: V): Promise<void>;
  del(key: string): Promise<void>;
  values(): AsyncIterable<V>;
}

type Json = StoredIdentity | StoredCredentials | StoredCertificate | string;

/** Opens (creating when absent) the state database of a data directory. */
export class StateStore {
  readonly identities: Table<StoredIdentity>;
  /** Identity lookup by developer login key (its SHA-256, never the token). */
  readonly loginIndex: Table<string>;
  readonly credentials: Table<StoredCredentials>;
  readonly certificates: Table<StoredCertificate>;
  readonly #db: ClassicLevel<string, Json>;

  private constructor(db: ClassicLevel<string, Json>) {
    this.#db = db;
    this.identities = db.sublevel<string, StoredIdentity>('identities', { valueEncoding: 'json' });
    this.loginIndex = db.sublevel<string, string>('logins', { valueEncoding: 'json' });
    this.credentials = db.sublevel<string, StoredCredentials>('credentials', { valueEncoding: 'json' });
    this.certificates = db.sublevel<string, StoredCertificate>('certificates', { valueEncoding: 'json' });
  }

  /** Opens the database at `<dataDir>/broker-state`. */
  static async open(dataDir: string): Promise<StateStore> {
    const db = new ClassicLevel<string, Json>(join(dataDir, 'broker-state'), { valueEncoding: 'json' });
    await db.open();
    return new StateStore(db);
  }

  async close(): Promise<void> {
    await this.#db.close();
  }
}

/** Reads a secret file, or creates it (mode 0600) with `create()`'s value. */
export async function readOrCreateSecretFile(path: string, create: () => string): Promise<string> {
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const value = create();
  await writeSecretFile(path, value);
  return value;
}

/** Writes a file only its owner can read (private keys, tokens), in a folder only its owner can enter. */
export async function writeSecretFile(path: string, value: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await writePrivateFile(path, value);
}

/**
 * Writes `value` to a file left at mode 0600, also when the file existed with a wider mode:
 * the mode is narrowed before the new content is written, so it is never readable by others.
 */
export async function writePrivateFile(path: string, value: string): Promise<void> {
  const handle = await open(path, 'w', 0o600);
  try {
    await handle.chmod(0o600);
    await handle.writeFile(value);
  } finally {
    await handle.close();
  }
}

/** A random url-safe token. */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}
