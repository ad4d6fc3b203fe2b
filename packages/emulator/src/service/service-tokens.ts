/**
 * Bearer tokens of the service API (`POST /publish`, `GET /channels`), one per registered
 * client. Only a SHA-256 of each token is stored, so the database never holds a usable secret;
 * they survive restarts.
 */
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { ClassicLevel } from 'classic-level';

const digest = (token: string): string => createHash('sha256').update(token).digest('hex');

/** Issues and resolves service tokens (`<dataDir>/service-tokens`). */
export class ServiceTokens {
  readonly #db: ClassicLevel<string, string>;

  private constructor(db: ClassicLevel<string, string>) {
    this.#db = db;
  }

  static async open(dataDir: string): Promise<ServiceTokens> {
    const db = new ClassicLevel<string, string>(join(dataDir, 'service-tokens'), { valueEncoding: 'utf8' });
    await db.open();
    return new ServiceTokens(db);
  }

  /** A new token for `clientId` (earlier ones stay valid until the client is banned). */
  async issue(clientId: string): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    await this.#db.put(digest(token), clientId);
    return token;
  }

  /** The client id a token belongs to, or undefined for an unknown token. */
  resolve(token: string): Promise<string | undefined> {
    return this.#db.get(digest(token));
  }

  async close(): Promise<void> {
    await this.#db.close();
  }
}
