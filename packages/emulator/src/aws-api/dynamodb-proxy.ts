/**
 * DynamoDB through the emulated AWS APIs: a call (JSON 1.0, `X-Amz-Target:
 * DynamoDB_20120810.<Operation>`) is SigV4-verified and IAM-evaluated like the others (action
 * `dynamodb:<Operation>` on the table's ARN), then forwarded unchanged to a DynamoDB-compatible
 * backend (dynalite in the tests), whose answer goes back as it is.
 */
import type { IamRequest } from './iam-authorizer.js';

/** Where DynamoDB calls go once allowed. */
export interface DynamoDbBackend {
  /** `http://127.0.0.1:PORT` of dynalite or DynamoDB Local. */
  readonly endpoint: string;
}

/** The IAM request of one DynamoDB call: its action, on the table it names. */
export function dynamoDbIam(
  operation: string,
  input: Record<string, unknown>,
  at: { partition: string; region: string; account: string },
): IamRequest {
  const table = typeof input.TableName === 'string' ? input.TableName : undefined;
  return {
    action: `dynamodb:${operation}`,
    resource: table === undefined ? '*' : `arn:${at.partition}:dynamodb:${at.region}:${at.account}:table/${table}`,
  };
}

/** Forwards the call; returns the backend's status, content type and body. */
export async function forwardToDynamoDb(
  backend: DynamoDbBackend,
  headers: Readonly<Record<string, string | string[] | undefined>>,
  body: Buffer,
): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  const pass: Record<string, string> = {};
  for (const name of ['content-type', 'x-amz-target', 'authorization', 'x-amz-date']) {
    const value = headers[name];
    if (typeof value === 'string') pass[name] = value;
  }
  const answer = await fetch(backend.endpoint, { method: 'POST', headers: pass, body: body.toString('utf8') });
  return {
    status: answer.status,
    headers: { 'content-type': answer.headers.get('content-type') ?? 'application/x-amz-json-1.0' },
    body: await answer.text(),
  };
}
