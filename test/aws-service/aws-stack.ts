/**
 * The service as the WebCommunicator template deploys it, offline: the construct synthesized
 * for one account and region; the service function's settings read from the template's own
 * environment variables; its SDK clients signed with the service role's key and pointed at the
 * emulated AWS APIs, which evaluate every call against the role's policies from the template
 * (intrinsics resolved); DynamoDB calls evaluated there too, then served by dynalite (the
 * template's table name); the IoT data plane evaluated there, then served by the emulator's. A test drives the Lambda handler with API Gateway events and inspects the
 * IoT registry through an operator's SDK client.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CognitoIdentityClient } from '@aws-sdk/client-cognito-identity';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { IoTClient } from '@aws-sdk/client-iot';
import { IoTDataPlaneClient } from '@aws-sdk/client-iot-data-plane';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { App, Stack } from 'aws-cdk-lib';
import {
  createAwsPorts,
  createServiceHandler,
  settingsFromEnvironment,
  type HttpApiHandler,
  type HttpApiResult,
} from '@webcomm/aws-service';
import { WebCommunicator } from '@webcomm/aws-service/cdk';
import { silentLogger, startEmulator, type RunningEmulator } from '@webcomm/emulator';
import { DEFAULT_CHANNELS } from '@webcomm/service';
import { startAwsApis, type AwsPrincipal, type RunningAwsApis } from '../../packages/emulator/src/aws-api/index.js';
import { startDynaliteTable, type DynaliteTable } from '../../packages/aws-service/src/testing/dynalite-table.js';
import {
  resolveIntrinsics,
  roleId,
  rolePolicies,
  type DeployTarget,
  type ResolvedPolicy,
  type TemplateResource,
} from '../../packages/aws-service/src/testing/template-iam.js';
import { testTokenSigningKey } from '../../packages/aws-service/src/testing/token-signing-key.js';
import { adminEvent, httpApiEvent } from '../helpers/http-api-gateway.js';

/** Where the synthesized stack is imagined deployed. */
export const AT: DeployTarget = { partition: 'aws', region: 'eu-west-1', account: '123456789012' };
export const IOT_ARN = `arn:aws:iot:${AT.region}:${AT.account}`;

/** A running offline stack. */
export interface AwsStack {
  readonly handler: HttpApiHandler;
  readonly apis: RunningAwsApis;
  /** The service function's principal: its `policies` are the template's role (replace them to remove a grant). */
  readonly service: AwsPrincipal;
  /** The role's policies as synthesized. */
  readonly servicePolicies: readonly ResolvedPolicy[];
  /** An operator's IoT client (iot:* on everything), for looking at the registry. */
  readonly operatorIot: IoTClient;
  /** The custom authorizer's token signing public key (PEM). */
  readonly tokenSigningPublicKeyPem: string;
  /** IoT policy names of the template: player, device, tool-CHANNEL. */
  readonly policies: { readonly player: string; readonly device: string; readonly tools: Record<string, string> };
  /** POST /register as a client (optionally with its service token). */
  register(body: unknown, token?: string): Promise<{ status: number; body: Record<string, unknown> }>;
  /** An /admin call, IAM-authorized as API Gateway hands it on. */
  admin(method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }>;
  close(): Promise<void>;
}

const parsed = (result: HttpApiResult): { status: number; body: Record<string, unknown> } => ({
  status: result.statusCode,
  body: JSON.parse(result.body) as Record<string, unknown>,
});

/** Synthesizes the construct and starts everything it runs on. */
export async function startAwsStack(): Promise<AwsStack> {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Offline', { env: { account: AT.account, region: AT.region } });
  const signing = testTokenSigningKey(stack, AT.region, AT.account);
  const construct = new WebCommunicator(stack, 'WebComm', {
    channels: DEFAULT_CHANNELS,
    customAuthorizer: signing.props,
  });
  const resources = app.synth().getStackByName('Offline').template.Resources as Record<string, TemplateResource>;
  const [poolId, pool] = Object.entries(resources).find(([, r]) => r.Type === 'AWS::Cognito::IdentityPool') ?? [];
  const serviceFunction = Object.values(resources).find(
    (r) =>
      r.Type === 'AWS::Lambda::Function' &&
      JSON.stringify(r.Properties?.Environment ?? {}).includes('DEVELOPER_PROVIDER'),
  );
  const environment = resolveIntrinsics(
    (serviceFunction?.Properties?.Environment as { Variables: unknown }).Variables,
    resources,
    AT,
  ) as Record<string, string>;
  const settings = settingsFromEnvironment({ ...environment, AWS_REGION: AT.region });
  const servicePolicies = rolePolicies(resources, roleId(resources, 'WebCommServiceRole'), AT);
  const service: AwsPrincipal = {
    arn: `arn:aws:sts::${AT.account}:assumed-role/WebCommServiceRole/ServiceFunction`,
    accessKeyId: 'AKIASERVICEROLE00001',
    secretAccessKey: 'service-role-secret-000000000000000000000',
    policies: servicePolicies,
  };
  const operator: AwsPrincipal = {
    arn: `arn:aws:iam::${AT.account}:user/operator`,
    accessKeyId: 'AKIAOPERATOR00000001',
    secretAccessKey: 'operator-secret-00000000000000000000000',
    policies: [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iot:*', Resource: '*' }] }],
  };
  const iotPolicyNames = Object.values(resources)
    .filter((r) => r.Type === 'AWS::IoT::Policy')
    .map((r) => String(r.Properties?.PolicyName));

  const dataDir = await mkdtemp(join(tmpdir(), 'webcomm-aws-stack-'));
  let emulator: RunningEmulator | undefined;
  let db: DynaliteTable | undefined;
  let apis: RunningAwsApis | undefined;
  try {
    emulator = await startEmulator({ dataDir, logger: silentLogger });
    db = await startDynaliteTable(settings.tableName);
    apis = await startAwsApis({
      ...AT,
      principals: [service, operator],
      iotPolicyNames,
      identityPools: [
        {
          id: resolveIntrinsics({ Ref: poolId }, resources, AT) as string,
          developerProviderName: String(pool?.Properties?.DeveloperProviderName),
        },
      ],
      dataEndpoint: new URL(emulator.endpoints.iotData).host,
      secrets: { [signing.secretArn]: signing.privateKeyPem },
      dynamodb: { endpoint: db.endpoint },
      iotData: {
        endpoint: emulator.endpoints.iotData,
        region: emulator.region,
        credentials: emulator.backendCredentials,
      },
    });
    const signedAs = (principal: AwsPrincipal) => ({
      region: AT.region,
      endpoint: apis?.endpoint,
      credentials: { accessKeyId: principal.accessKeyId, secretAccessKey: principal.secretAccessKey },
      maxAttempts: 1,
    });
    const iot = new IoTClient(signedAs(service));
    const cognito = new CognitoIdentityClient(signedAs(service));
    const secrets = new SecretsManagerClient(signedAs(service));
    const dynamodb = new DynamoDBClient(signedAs(service));
    const dataPlane = new IoTDataPlaneClient(signedAs(service));
    const operatorIot = new IoTClient(signedAs(operator));
    const ports = await createAwsPorts(settings, { iot, cognito, dynamodb, dataPlane, secrets });
    const handler = createServiceHandler(ports);
    const running = { emulator, db, apis };
    return {
      handler,
      apis,
      service,
      servicePolicies,
      operatorIot,
      tokenSigningPublicKeyPem: signing.publicKeyPem,
      policies: construct.policyNames as AwsStack['policies'],
      register: async (body, token) =>
        parsed(
          await handler(
            httpApiEvent('POST', '/register', {
              body: JSON.stringify(body),
              headers: {
                'content-type': 'application/json',
                ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
              },
            }),
          ),
        ),
      admin: async (method, path, body) => parsed(await handler(adminEvent(method, path, body))),
      close: async () => {
        for (const client of [iot, cognito, secrets, dynamodb, dataPlane, operatorIot]) client.destroy();
        await running.apis.close();
        await running.db.close();
        await running.emulator.stop();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await apis?.close();
    await db?.close();
    await emulator?.stop();
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
}
