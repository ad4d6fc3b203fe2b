/**
 * The service's user table on classic-level under the data directory: one row per client
 * (id, kind, status, created, last seen), kept across restarts. Banned ids are also held in
 * memory so the broker can check them on every packet without a disk read.
 */
import { join } from 'node:path';
import { ClassicLevel } from 'classic-level';
import { ERROR_CODES, WebcommError, type ConnectionType, type UserStatus } from '@webcomm/core';
import { type UserRecord } from '@webcomm/core/internal';
import type { UserDirectory } from './contracts.js';

/** Called after a user's status changed. */
export type StatusListener = (user: UserRecord, previous: UserStatus | undefined) => void;

const STATUSES: readonly UserStatus[] = ['active', 'banned'];

/** {@link UserDirectory} on classic-level (`<dataDir>/users`). */
export class LevelUserDirectory implements UserDirectory {
  readonly #db: ClassicLevel<string, UserRecord>;
  readonly #banned = new Set<string>();
  readonly #listeners = new Set<StatusListener>();
  readonly #now: () => Date;

  private constructor(db: ClassicLevel<string, UserRecord>, now: () => Date) {
    this.#db = db;
    this.#now = now;
  }

  /** Opens (creating when absent) the user table of a data directory. */
  static async open(dataDir: string, now: () => Date = () => new Date()): Promise<LevelUserDirectory> {
    const db = new ClassicLevel<string, UserRecord>(join(dataDir, 'users'), { valueEncoding: 'json' });
    await db.open();
    const directory = new LevelUserDirectory(db, now);
    for await (const user of db.values()) if (user.status === 'banned') directory.#banned.add(user.id);
    return directory;
  }

  get(id: string): Promise<UserRecord | undefined> {
    return this.#db.get(id);
  }

  async ensure(id: string, kind: ConnectionType): Promise<UserRecord> {
    const existing = await this.#db.get(id);
    if (existing !== undefined) return existing;
    const created: UserRecord = { id, kind, status: 'active', createdAt: this.#now().toISOString() };
    await this.#db.put(id, created);
    return created;
  }

  async list(): Promise<UserRecord[]> {
    return this.#db.values().all();
  }

  async setStatus(id: string, status: UserStatus): Promise<UserRecord> {
    if (!STATUSES.includes(status)) {
      throw new WebcommError(
        ERROR_CODES.INVALID_OPTION,
        `Unknown user status "${String(status)}": use "active" or "banned".`,
      );
    }
    const existing = await this.#db.get(id);
    if (existing === undefined)
      throw new WebcommError(ERROR_CODES.INVALID_OPTION, `No user "${id}": list users with \`webcomm users\`.`);
    const updated: UserRecord = { ...existing, status };
    await this.#db.put(id, updated);
    if (status === 'banned') this.#banned.add(id);
    else this.#banned.delete(id);
    for (const listener of this.#listeners) listener(updated, existing.status);
    return updated;
  }

  async setBrokerPublish(id: string, channels: readonly string[]): Promise<UserRecord> {
    const existing = await this.#db.get(id);
    if (existing === undefined)
      throw new WebcommError(ERROR_CODES.INVALID_OPTION, `No user "${id}": list users with \`webcomm users\`.`);
    const { brokerPublish: _previous, ...rest } = existing;
    const updated: UserRecord = channels.length === 0 ? rest : { ...rest, brokerPublish: [...new Set(channels)] };
    await this.#db.put(id, updated);
    return updated;
  }

  async touch(id: string, at: Date): Promise<void> {
    const existing = await this.#db.get(id);
    if (existing !== undefined) await this.#db.put(id, { ...existing, lastSeenAt: at.toISOString() });
  }

  isBanned(id: string): boolean {
    return this.#banned.has(id);
  }

  /** Calls `listener` after every status change; returns a function that stops it. */
  onStatusChange(listener: StatusListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.#listeners.clear();
    await this.#db.close();
  }
}
