/**
 * A DynamoDB for tests: dynalite (DynamoDB's API on an in-memory LevelDB) on 127.0.0.1 port 0,
 * with the user table created as the construct declares it (hash key `ClientID`).
 */
import { createRequire } from 'node:module';
import type { AddressInfo, Server } from 'node:net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** A running dynalite with one table. */
export interface DynaliteTable {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  readonly endpoint: string;
  close(): Promise<void>;
}

const require = createRequire(import.meta.url);

/** Starts dynalite and creates the user table. */
export async function startDynaliteTable(tableName = 'webcomm-users'): Promise<DynaliteTable> {
  const dynalite = require('dynalite') as (options: {
    createTableMs: number;
    deleteTableMs: number;
    updateTableMs: number;
  }) => Server;
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: 'local-1',
    credentials: { accessKeyId: 'AKIADYNALITE00000000', secretAccessKey: 'dynalite' },
    maxAttempts: 1,
  });
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      KeySchema: [{ AttributeName: 'ClientID', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'ClientID', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  return {
    client,
    tableName,
    endpoint,
    close: async () => {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
