/**
 * The AWS control-plane APIs the service's adapters call, emulated on one HTTP endpoint that the
 * real AWS SDK v3 clients reach through `endpoint`: the IoT control plane (REST-JSON, SigV4
 * service `iot`), Cognito developer identities (JSON 1.1, service `cognito-identity`) and
 * Secrets Manager's `GetSecretValue` (JSON 1.1, service `secretsmanager`), and DynamoDB forwarded
 * to a DynamoDB-compatible backend once allowed (JSON 1.0, service `dynamodb`), and the IoT data
 * plane forwarded to the emulator's once allowed (REST-JSON, service `iotdata`). Every
 * request is SigV4-verified against the principal whose key signed it, then evaluated by IAM
 * against that principal's policies; a denial is `AccessDeniedException` naming the action and
 * resource, an operation not served is `UnknownOperationException`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AwsApiError, sendAws, sendAwsError, unknownOperation, type AwsProtocol } from './aws-api-error.js';
import { signedCaller, type AwsPrincipal } from './aws-principals.js';
import { DeveloperIdentities, type DeveloperIdentityPool, type JsonOperation } from './cognito-developer-identities.js';
import { authorizeIam, type IamRequest } from './iam-authorizer.js';
import { dynamoDbIam, forwardToDynamoDb, type DynamoDbBackend } from './dynamodb-proxy.js';
import { iotOperations } from './iot-control-plane.js';
import { forwardToIotData, iotDataIam, type IotDataBackend } from './iot-data-proxy.js';
import { IotRegistry } from './iot-registry.js';
import { secretOperations, type SecretValues } from './secrets-manager.js';

/** Options of {@link startAwsApis}. */
export interface AwsApisOptions {
  /** @default 'aws' */
  readonly partition?: string;
  readonly region: string;
  readonly account: string;
  /** Who may call, and their IAM policies (mutable: `principal.policies = ...`). */
  readonly principals: readonly AwsPrincipal[];
  /** The IoT policies that exist (the template's `AWS::IoT::Policy` names). */
  readonly iotPolicyNames: readonly string[];
  /** Identity pools with a developer provider. */
  readonly identityPools: readonly DeveloperIdentityPool[];
  /** Secrets by complete ARN. @default none */
  readonly secrets?: SecretValues;
  /** A DynamoDB-compatible backend that allowed DynamoDB calls are forwarded to. @default none: DynamoDB calls are unknown */
  readonly dynamodb?: DynamoDbBackend;
  /** The emulator's data plane, where allowed `Publish` / `DeleteConnection` calls go. @default none: they are unknown */
  readonly iotData?: IotDataBackend;
  /** What `DescribeEndpoint` answers (the data endpoint's host). @default `localhost` */
  readonly dataEndpoint?: string;
}

/** The running APIs. */
export interface RunningAwsApis {
  /** `http://127.0.0.1:PORT`: pass it as the SDK client's `endpoint`. */
  readonly endpoint: string;
  /** The IoT registry (certificates, things, policy attachments), for inspection. */
  readonly registry: IotRegistry;
  /** Every IAM decision made, in order (the last 10,000): who asked what, and the answer. */
  readonly decisions: readonly IamDecision[];
  close(): Promise<void>;
}

/** The SigV4 service a request's `Authorization` header is scoped to. */
const SIGNED_SERVICE = /Credential=[^/,\s]+\/\d{8}\/[^/]+\/([^/]+)\/aws4_request/;

/** One IAM decision of the emulated APIs. */
export interface IamDecision {
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  readonly allowed: boolean;
}

const MAX_DECISIONS = 10_000;

/** AWS's largest request to these operations is far below this. */
const MAX_BODY_BYTES = 65_536;
/** The JSON 1.1 services, by the `X-Amz-Target` prefix their SDK sends. */
const JSON_SERVICES = [
  { prefix: 'AWSCognitoIdentityService.', service: 'cognito-identity', title: 'Cognito Identity' },
  { prefix: 'secretsmanager.', service: 'secretsmanager', title: 'Secrets Manager' },
  { prefix: 'DynamoDB_20120810.', service: 'dynamodb', title: 'DynamoDB' },
] as const;
type JsonService = (typeof JSON_SERVICES)[number];

function jsonServiceOf(target: string | string[] | undefined): JsonService | undefined {
  return typeof target === 'string' ? JSON_SERVICES.find((json) => target.startsWith(json.prefix)) : undefined;
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new AwsApiError('SerializationException', 413, 'Request body too large.');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function parseObject(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  try {
    const value: unknown = JSON.parse(body.toString('utf8'));
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // answered below
  }
  throw new AwsApiError('SerializationException', 400, 'The request body is not a JSON object.');
}

/** Starts the emulated APIs on 127.0.0.1, port 0. */
export async function startAwsApis(options: AwsApisOptions): Promise<RunningAwsApis> {
  const partition = options.partition ?? 'aws';
  const { region, account } = options;
  const iotArn = `arn:${partition}:iot:${region}:${account}`;
  const registry = new IotRegistry(iotArn, options.iotPolicyNames);
  const iot = iotOperations({ registry, iotArn, dataEndpoint: options.dataEndpoint ?? 'localhost' });
  const jsonOperations: Record<Exclude<JsonService['service'], 'dynamodb'>, Record<string, JsonOperation>> = {
    'cognito-identity': new DeveloperIdentities(options.identityPools, { partition, region, account }).operations(),
    secretsmanager: secretOperations(options.secrets ?? {}),
  };
  const principals = new Map(options.principals.map((principal) => [principal.accessKeyId, principal]));
  const decisions: IamDecision[] = [];

  const handle = async (
    request: IncomingMessage,
    response: ServerResponse,
    json: JsonService | undefined,
  ): Promise<void> => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const body = await readBody(request);
    const protocol: AwsProtocol = json === undefined ? 'rest-json' : 'json-1.1';
    // REST calls are the IoT control plane's, or the data plane's when signed for `iotdata`.
    const dataPlane =
      json === undefined && SIGNED_SERVICE.exec(String(request.headers.authorization))?.[1] === 'iotdata';
    const caller = await signedCaller(
      { method: request.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: request.headers, body },
      principals,
      { region, service: json?.service ?? (dataPlane ? 'iotdata' : 'iot'), now: Date.now() },
    );
    /** IAM's decision for the caller, recorded; throws AccessDeniedException when denied. */
    const authorize = async (iam: IamRequest): Promise<void> => {
      let allowed = false;
      try {
        await authorizeIam(caller, iam, account);
        allowed = true;
      } finally {
        decisions.push({ principal: caller.arn, action: iam.action, resource: iam.resource, allowed });
        if (decisions.length > MAX_DECISIONS) decisions.shift();
      }
    };
    const relay = (answer: { status: number; headers: Record<string, string>; body: string }): void => {
      response.writeHead(answer.status, answer.headers);
      response.end(answer.body);
    };
    if (dataPlane) {
      const method = request.method ?? 'GET';
      const checks = iotDataIam(method, url.pathname, url.searchParams, iotArn);
      const backend = options.iotData;
      if (checks === undefined || backend === undefined)
        throw unknownOperation(`IoT data plane ${method} ${url.pathname.slice(0, 128)}`);
      for (const check of checks) await authorize(check);
      const forward = { method, path: url.pathname, query: url.searchParams, headers: request.headers, body };
      return relay(await forwardToIotData(backend, forward));
    }
    if (json?.service === 'dynamodb') {
      const backend = options.dynamodb;
      const name = String(request.headers['x-amz-target']).slice(json.prefix.length);
      if (backend === undefined) throw unknownOperation(`DynamoDB ${name.slice(0, 64)} (no DynamoDB backend given)`);
      await authorize(dynamoDbIam(name, parseObject(body), { partition, region, account }));
      return relay(await forwardToDynamoDb(backend, request.headers, body));
    }
    if (json !== undefined) {
      const name = String(request.headers['x-amz-target']).slice(json.prefix.length);
      const operations = jsonOperations[json.service];
      const operation = Object.hasOwn(operations, name) ? operations[name] : undefined;
      if (operation === undefined) throw unknownOperation(`${json.title} ${name.slice(0, 64)}`);
      const input = parseObject(body);
      await authorize(operation.iam(input));
      return sendAws(response, protocol, 200, await operation.run(input));
    }
    for (const operation of iot) {
      const match = request.method === operation.method ? operation.path.exec(url.pathname) : null;
      if (match === null) continue;
      const rest = {
        params: match.slice(1).map((raw) => decodeURIComponent(raw)),
        query: url.searchParams,
        headers: request.headers,
        body: parseObject(body),
      };
      await authorize(operation.iam(rest));
      return sendAws(response, protocol, 200, await operation.run(rest));
    }
    throw unknownOperation(`IoT ${request.method ?? ''} ${url.pathname.slice(0, 128)}`);
  };

  const server = createServer((request, response) => {
    const json = jsonServiceOf(request.headers['x-amz-target']);
    const protocol: AwsProtocol = json === undefined ? 'rest-json' : 'json-1.1';
    handle(request, response, json).catch((error: unknown) => {
      const failure =
        error instanceof AwsApiError
          ? error
          : new AwsApiError('InternalFailure', 500, `The emulated AWS API failed: ${(error as Error)?.message}`);
      if (!response.headersSent) sendAwsError(response, protocol, failure);
      else response.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    registry,
    decisions,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
