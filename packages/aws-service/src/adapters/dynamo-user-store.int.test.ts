/**
 * The DynamoDB user table against dynalite with the real `@aws-sdk/client-dynamodb`: records,
 * the one-write-per-id registration race, status and grants, token hashing, and a paged scan.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDynaliteTable, type DynaliteTable } from '../testing/dynalite-table.js';
import { DynamoUserStore } from './dynamo-user-store.js';
import { GetItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';

let db: DynaliteTable;
let store: DynamoUserStore;

beforeAll(async () => {
  db = await startDynaliteTable();
  store = new DynamoUserStore(db.client, db.tableName, () => new Date('2026-12-01T22:00:00.000Z'));
});
afterAll(async () => {
  await db?.close();
});

describe('DynamoUserStore (dynalite)', () => {
  it('ensure creates one REGISTERED record; concurrent ensures of one id agree on it', async () => {
    const all = await Promise.all(
      Array.from({ length: 10 }, (_, i) => store.ensure('eu-west-1:race', i % 2 === 0 ? 'WEBSOCKET' : 'OPENSSL')),
    );
    expect(new Set(all.map((u) => u.kind)).size).toBe(1);
    expect(all[0]).toEqual({
      id: 'eu-west-1:race',
      kind: all[0]?.kind,
      status: 'active',
      createdAt: '2026-12-01T22:00:00.000Z',
    });
    const raw = await db.client.send(
      new GetItemCommand({ TableName: db.tableName, Key: { ClientID: { S: 'eu-west-1:race' } } }),
    );
    expect(raw.Item?.RegistrationStatus?.S).toBe('REGISTERED');
    expect(await store.get('nobody')).toBeUndefined();
  });

  it('status, grants and last seen are updated in place; unknown ids are refused', async () => {
    await store.ensure('dev-1', 'OPENSSL');
    expect((await store.setStatus('dev-1', 'banned')).status).toBe('banned');
    const raw = await db.client.send(
      new GetItemCommand({ TableName: db.tableName, Key: { ClientID: { S: 'dev-1' } } }),
    );
    expect(raw.Item?.RegistrationStatus?.S).toBe('BANNED');
    expect((await store.setStatus('dev-1', 'active')).status).toBe('active');
    expect((await store.setBrokerPublish('dev-1', ['tools'])).brokerPublish).toEqual(['tools']);
    expect((await store.setBrokerPublish('dev-1', [])).brokerPublish).toBeUndefined();
    await store.touch('dev-1', new Date('2026-12-01T23:00:00.000Z'));
    expect((await store.get('dev-1'))?.lastSeenAt).toBe('2026-12-01T23:00:00.000Z');
    await expect(store.setStatus('ghost', 'banned')).rejects.toThrow(/conditional/i);
  });

  it('tokens resolve to their client and are stored only as a hash; list() returns users only', async () => {
    const token = await store.issue('dev-1');
    expect(await store.resolve(token)).toBe('dev-1');
    expect(await store.resolve(`${token}x`)).toBeUndefined();
    const scan = JSON.stringify((await db.client.send(new ScanCommand({ TableName: db.tableName }))).Items);
    expect(scan).not.toContain(token);
    const ids = (await store.list()).map((u) => u.id).sort();
    expect(ids).toEqual(['dev-1', 'eu-west-1:race']);
  });

  it('list() follows the scan pages', async () => {
    await Promise.all(Array.from({ length: 25 }, (_, i) => store.ensure(`bulk-${i}`, 'WEBSOCKET')));
    const paged = new DynamoUserStore(db.client, db.tableName, undefined, { pageSize: 4 });
    expect((await paged.list()).length).toBe(27);
  });
});
