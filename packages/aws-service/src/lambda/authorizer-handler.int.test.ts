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

  it("keeps every policy document within IoT Core's 2,048 characters, whatever the channel count, by splitting them (#26, 10)", async () => {
    // 14 channels and a 128-character client id: one document would be about 5,000 characters.
    const channels = {
      project: 'mygame',
      deployment: 'production',
      channels: Array.from({ length: 14 }, (_, i) => ({
        name: `channel-number-${i}`,
        type: i % 2 === 0 ? ('broadcast' as const) : ('private' as const),
        clientPublish: false,
      })),
    };
    const authorize = createAuthorizerHandler({ tokens: store, users: store, channels, iotArn });
    const clientId = 'd'.repeat(128);
    await store.ensure(clientId, 'OPENSSL');
    const allowed = await authorize({ token: await store.issue(clientId) });
    expect(allowed.isAuthenticated).toBe(true);
    expect(allowed.policyDocuments.length).toBeGreaterThan(1);
    expect(allowed.policyDocuments.length).toBeLessThanOrEqual(10);
    for (const document of allowed.policyDocuments) expect(document.length).toBeLessThanOrEqual(2_048);
    // Together they grant exactly what one document would: connect as itself, every channel's topic.
    const granted = allowed.policyDocuments.flatMap((document) =>
      (JSON.parse(document) as { Statement: { Action: string; Resource: string | string[] }[] }).Statement.flatMap(
        (statement) => [statement.Resource].flat().map((resource) => `${statement.Action} ${resource}`),
      ),
    );
    expect(granted.filter((g) => g.startsWith('iot:Connect '))).toEqual([`iot:Connect ${iotArn}:client/${clientId}`]);
    expect(granted.filter((g) => g.startsWith('iot:Subscribe '))).toHaveLength(14);
    expect(granted.filter((g) => g.startsWith('iot:Receive '))).toHaveLength(14);
    expect(granted).toContain(`iot:Receive ${iotArn}:topic/mygame/production/channel-number-1/client/${clientId}`);
  });
});
