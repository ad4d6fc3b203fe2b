/**
 * Minimal in-memory {@link UserDirectory} and {@link ChannelCatalog} for broker tests that
 * need a user table and channels without the service side's storage.
 */
import type { ChannelInfo, ConnectionType, UserStatus } from '@webcomm/core';
import type { UserRecord } from '@webcomm/core/internal';
import type { ChannelCatalog, UserDirectory } from '../src/service/contracts.js';

/** Users in a Map. */
export class MemoryUsers implements UserDirectory {
  readonly #users = new Map<string, UserRecord>();

  async get(id: string): Promise<UserRecord | undefined> {
    return this.#users.get(id);
  }

  async ensure(id: string, kind: ConnectionType): Promise<UserRecord> {
    const existing = this.#users.get(id);
    if (existing !== undefined) return existing;
    const record: UserRecord = { id, kind, status: 'active', createdAt: new Date().toISOString() };
    this.#users.set(id, record);
    return record;
  }

  async list(): Promise<UserRecord[]> {
    return [...this.#users.values()];
  }

  async setStatus(id: string, status: UserStatus): Promise<UserRecord> {
    const record: UserRecord = { ...(await this.ensure(id, 'WEBSOCKET')), status };
    this.#users.set(id, record);
    return record;
  }

  async setBrokerPublish(id: string, channels: readonly string[]): Promise<UserRecord> {
    const record: UserRecord = { ...(await this.ensure(id, 'OPENSSL')), brokerPublish: [...channels] };
    this.#users.set(id, record);
    return record;
  }

  async touch(): Promise<void> {}

  isBanned(id: string): boolean {
    return this.#users.get(id)?.status === 'banned';
  }

  async close(): Promise<void> {}
}

/** `game/broadcast` (everyone), `game/private/{clientId}`, and receive on `game/news/#`. */
export class TestChannels implements ChannelCatalog {
  forClient(clientId: string): ChannelInfo[] {
    return [
      { name: 'broadcast', type: 'broadcast', topic: 'game/broadcast', clientPublish: false },
      { name: 'private', type: 'private', topic: `game/private/${clientId}`, clientPublish: false },
    ];
  }

  find(name: string, clientId: string): ChannelInfo | undefined {
    return this.forClient(clientId).find((channel) => channel.name === name);
  }

  receiveTopics(clientId: string): string[] {
    return this.forClient(clientId).map((channel) => channel.topic);
  }

  sharedReceiveFilters(): string[] {
    return ['game/news/#'];
  }
}
