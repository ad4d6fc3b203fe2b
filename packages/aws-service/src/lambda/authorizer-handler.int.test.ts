/**
 * The IoT custom authorizer over the DynamoDB token store (dynalite): a registered client's
 * service token gets its policy (connect as itself, receive its channels, never publish); an
 * unknown token, a banned client or another MQTT client id is denied.
 */
import { DEFAULT_CHANNELS } from '@webcomm/service';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoUserStore } from '../adapters/dynamo-user-store.js';
import { startDynaliteTable, type DynaliteTable } from '../testing/dynalite-table.js';
import { createAuthorizerHandler } from './authorizer-handler.js';

let db: DynaliteTable;
let store: DynamoUserStore;
const iotArn = 'arn:aws:iot:eu-west-1:123456789012';

beforeAll(async () => {
  db = await startDynaliteTable();
  store = new DynamoUserStore(db.client, db.tableName);
});
afterAll(async () => {
  await db?.close();
});

describe('createAuthorizerHandler', () => {
  it('allows a registered client by its service token (token field or MQTT password) with its own policy, and denies the rest', async () => {
    const authorize = createAuthorizerHandler({ tokens: store, users: store, channels: DEFAULT_CHANNELS, iotArn });
    await store.ensure('eu-west-1:player-1', 'WEBSOCKET');
    const token = await store.issue('eu-west-1:player-1');
    const allowed = await authorize({ token });
    expect(allowed).toMatchObject({
      isAuthenticated: true,
      principalId: 'euwest1player1',
      disconnectAfterInSeconds: 86_400,
      refreshAfterInSeconds: 3_600,
    });
    const policy = JSON.parse(allowed.policyDocuments[0] ?? '{}') as {
      Statement: { Action: string; Resource: string | string[] }[];
    };
    expect(policy.Statement.map((s) => s.Action)).toEqual(['iot:Connect', 'iot:Subscribe', 'iot:Receive']);
    expect(policy.Statement[0]?.Resource).toBe(`${iotArn}:client/eu-west-1:player-1`);
    expect(policy.Statement[2]?.Resource).toContain(`${iotArn}:topic/webcomm/local/private/client/eu-west-1:player-1`);
    expect((allowed.policyDocuments[0] ?? '').length).toBeLessThanOrEqual(2_048);

    const viaPassword = await authorize({
      protocolData: { mqtt: { password: Buffer.from(token).toString('base64'), clientId: 'eu-west-1:player-1' } },
    });
    expect(viaPassword.isAuthenticated).toBe(true);
    expect((await authorize({ token: 'not-a-token' })).isAuthenticated).toBe(false);
    expect((await authorize({})).isAuthenticated).toBe(false);
    expect((await authorize({ token, protocolData: { mqtt: { clientId: 'someone-else' } } })).isAuthenticated).toBe(
      false,
    );
    await store.setStatus('eu-west-1:player-1', 'banned');
    expect((await authorize({ token })).isAuthenticated).toBe(false);
  });
});
