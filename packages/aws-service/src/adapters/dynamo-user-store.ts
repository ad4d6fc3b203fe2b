/**
 * The user table on DynamoDB (the Lumberyard gem's ClientRegistry): hash key `ClientID`, with
 * `Kind` (WEBSOCKET / OPENSSL), `RegistrationStatus` (REGISTERED / BANNED), `CreatedAt`,
 * `LastSeenAt` and `BrokerPublish` (a client's certificates are the principals of its IoT thing,
 * not a column here). A new user is one conditional write keyed
 * by the id, so concurrent registrations of one id across Lambda instances make one record.
 * Service tokens live in the same table under `#token#<sha256>` keys (a client id never starts
 * with `#`), holding only the hash, never a usable token.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  ConditionalCheckFailedException,
  GetItemCommand,
  PutItemCommand,
  ScanCommand,
  UpdateItemCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import type { ConnectionType, UserStatus } from '@webcomm/core';
import type { UserRecord } from '@webcomm/core/internal';
import type { TokenStore, UserStore } from '@webcomm/service';

type Item = Record<string, AttributeValue>;

const TOKEN_PREFIX = '#token#';
const digest = (token: string): string => createHash('sha256').update(token).digest('hex');

function toRecord(item: Item): UserRecord {
  const publish = item.BrokerPublish?.L?.map((value) => value.S ?? '').filter((name) => name !== '') ?? [];
  return {
    id: item.ClientID?.S ?? '',
    kind: (item.Kind?.S ?? 'WEBSOCKET') as ConnectionType,
    status: item.RegistrationStatus?.S === 'BANNED' ? 'banned' : 'active',
    createdAt: item.CreatedAt?.S ?? '',
    ...(item.LastSeenAt?.S === undefined ? {} : { lastSeenAt: item.LastSeenAt.S }),
    ...(publish.length === 0 ? {} : { brokerPublish: publish }),
  };
}

/** `UserStore` and `TokenStore` over one DynamoDB table. */
export class DynamoUserStore implements UserStore, TokenStore {
  readonly #db: DynamoDBClient;
  readonly #table: string;
  readonly #now: () => Date;
  readonly #pageSize: number | undefined;

  /**
   * `table` is the table name (the construct passes it as `TABLE_NAME`); `pageSize` caps the
   * items one scan page reads (@default DynamoDB's 1 MB page).
   */
  constructor(
    db: DynamoDBClient,
    table: string,
    now: () => Date = () => new Date(),
    options: { readonly pageSize?: number } = {},
  ) {
    this.#db = db;
    this.#table = table;
    this.#now = now;
    this.#pageSize = options.pageSize;
  }

  async get(id: string): Promise<UserRecord | undefined> {
    const item = await this.#item(id);
    return item === undefined ? undefined : toRecord(item);
  }

  async ensure(id: string, kind: ConnectionType): Promise<UserRecord> {
    const item: Item = {
      ClientID: { S: id },
      Kind: { S: kind },
      RegistrationStatus: { S: 'REGISTERED' },
      CreatedAt: { S: this.#now().toISOString() },
    };
    try {
      await this.#db.send(
        new PutItemCommand({
          TableName: this.#table,
          Item: item,
          ConditionExpression: 'attribute_not_exists(ClientID)',
        }),
      );
      return toRecord(item);
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      return (await this.get(id)) as UserRecord;
    }
  }

  async list(): Promise<UserRecord[]> {
    const users: UserRecord[] = [];
    let start: Item | undefined;
    do {
      const page = await this.#db.send(
        new ScanCommand({
          TableName: this.#table,
          FilterExpression: 'attribute_exists(Kind)',
          ...(this.#pageSize === undefined ? {} : { Limit: this.#pageSize }),
          ...(start === undefined ? {} : { ExclusiveStartKey: start }),
        }),
      );
      for (const item of page.Items ?? []) users.push(toRecord(item));
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
    return users;
  }

  async setStatus(id: string, status: UserStatus): Promise<UserRecord> {
    return this.#update(id, 'SET RegistrationStatus = :v', {
      ':v': { S: status === 'banned' ? 'BANNED' : 'REGISTERED' },
    });
  }

  async setBrokerPublish(id: string, channels: readonly string[]): Promise<UserRecord> {
    return this.#update(id, 'SET BrokerPublish = :v', { ':v': { L: channels.map((name) => ({ S: name })) } });
  }

  /** Records a connection (last seen). */
  async touch(id: string, at: Date): Promise<void> {
    await this.#update(id, 'SET LastSeenAt = :v', { ':v': { S: at.toISOString() } });
  }

  async issue(clientId: string): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    await this.#db.send(
      new PutItemCommand({
        TableName: this.#table,
        Item: { ClientID: { S: `${TOKEN_PREFIX}${digest(token)}` }, TokenOf: { S: clientId } },
      }),
    );
    return token;
  }

  async resolve(token: string): Promise<string | undefined> {
    return (await this.#item(`${TOKEN_PREFIX}${digest(token)}`))?.TokenOf?.S;
  }

  async #item(key: string): Promise<Item | undefined> {
    const answer = await this.#db.send(
      new GetItemCommand({ TableName: this.#table, Key: { ClientID: { S: key } }, ConsistentRead: true }),
    );
    return answer.Item;
  }

  async #update(id: string, expression: string, values: Item): Promise<UserRecord> {
    const answer = await this.#db.send(
      new UpdateItemCommand({
        TableName: this.#table,
        Key: { ClientID: { S: id } },
        UpdateExpression: expression,
        ExpressionAttributeValues: values,
        ConditionExpression: 'attribute_exists(ClientID)',
        ReturnValues: 'ALL_NEW',
      }),
    );
    return toRecord(answer.Attributes ?? {});
  }
}
