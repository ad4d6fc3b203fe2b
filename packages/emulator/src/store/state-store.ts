/**
 * The broker side's on-disk state: one classic-level database under the data directory
 * holding identities, credentials and issued certificates, plus small secret files.
 */
import { mkdir, readFile, writeFile, chmod } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { ClassicLevel } from 'classic-level';

/** A Cognito-style identity the emulator issued. */
export interface StoredIdentity {
  readonly identityId: string;
  /** Keys (`JSON.stringify([provider, token])`) of the developer logins bound to it; empty for guests. */
  readonly logins: string[];
  /** Registered by the service: credentials only with its Cognito OpenID token (developer-authenticated). */
  readonly developer?: boolean;
  readonly createdAt: string;
}

/** Temporary credentials issued for an identity. The secret and token are secrets. */
export interface StoredCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
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
  /** Identity lookup by developer login key (`provider=token`). */
  readonly loginIndex: Table<string>;
  readonly credentials: Table<StoredCredentials>;
  readonly certificates: Table<StoredCertificate>;
  private readonly db: ClassicLevel<string, Json>;

  private constructor(db: ClassicLevel<string, Json>) {
    this.db = db;
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
    await this.db.close();
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

/** Writes a file only its owner can read (private keys, tokens). */
export async function writeSecretFile(path: string, value: string): Promise<void> {
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, value, { mode: 0o600 });
  await chmod(path, 0o600);
}

/** A random url-safe token. */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}
