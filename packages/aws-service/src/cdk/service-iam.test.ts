/**
 * The construct's IAM as AWS evaluates it: each statement of the service role checked against
 * AWS's action → resource-type table, and each call the adapters make evaluated by
 * iam-simulate against the synthesized role (intrinsics resolved for one account and region).
 */
import { readFileSync } from 'node:fs';
import { App, Stack } from 'aws-cdk-lib';
import { DEFAULT_CHANNELS } from '@webcomm/service';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  iamDecision,
  resourceTypeProblem,
  roleId,
  rolePolicies,
  type DeployTarget,
  type ResolvedPolicy,
  type TemplateResource,
} from '../testing/template-iam.js';
import { testTokenSigningKey } from '../testing/token-signing-key.js';
import { WebCommunicator } from './web-communicator.js';

const at: DeployTarget = { partition: 'aws', region: 'eu-west-1', account: '123456789012' };
const iot = `arn:aws:iot:${at.region}:${at.account}`;
let resources: Record<string, TemplateResource>;
let service: ResolvedPolicy[];
let authorizer: ResolvedPolicy[];
let secretArn: string;

beforeAll(() => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Iam', { env: { account: at.account, region: at.region } });
  const signing = testTokenSigningKey(stack, at.region, at.account);
  new WebCommunicator(stack, 'WebComm', { channels: DEFAULT_CHANNELS, customAuthorizer: signing.props });
  resources = app.synth().getStackByName('Iam').template.Resources as Record<string, TemplateResource>;
  service = rolePolicies(resources, roleId(resources, 'WebCommServiceRole'), at);
  authorizer = rolePolicies(resources, roleId(resources, 'WebCommAuthorizerRole'), at);
  secretArn = signing.secretArn;
}, 120_000);

/** The service function's calls, as the adapters make them (action, resource AWS evaluates). */
function serviceCalls(): [call: string, action: string, resource: string][] {
  const pool = Object.keys(resources).find((id) => resources[id]?.Type === 'AWS::Cognito::IdentityPool') ?? '';
  const poolArn = `arn:aws:cognito-identity:${at.region}:${at.account}:identitypool/${at.region}:00000000-0000-4000-8000-${pool.slice(-8)}`;
  const table = Object.keys(resources).find((id) => resources[id]?.Type === 'AWS::DynamoDB::Table') ?? '';
  const tableArn = `arn:aws:dynamodb:${at.region}:${at.account}:table/${table}`;
  const cert = `${iot}:cert/0123456789abcdef`;
  return [
    ['users: read', 'dynamodb:GetItem', tableArn],
    ['users: create', 'dynamodb:PutItem', tableArn],
    ['users: update', 'dynamodb:UpdateItem', tableArn],
    ['users: list', 'dynamodb:Scan', tableArn],
    ['certificate: create', 'iot:CreateKeysAndCertificate', '*'],
    ['certificate: thing', 'iot:CreateThing', `${iot}:thing/dev-1`],
    ['certificate: attach to thing', 'iot:AttachThingPrincipal', cert],
    ['certificate: every one of a client', 'iot:ListThingPrincipals', `${iot}:thing/dev-1`],
    ['certificate: device or tool policy', 'iot:AttachPolicy', cert],
    ['certificate: ban / revoke grant', 'iot:DetachPolicy', cert],
    ['certificate: INACTIVE / ACTIVE', 'iot:UpdateCertificate', cert],
    // A Cognito identity id is no ARN: AWS evaluates AttachPolicy to an identity against "*".
    ['identity: player policy', 'iot:AttachPolicy', '*'],
    ['identity: ban', 'iot:DetachPolicy', '*'],
    ['identity: exists?', 'cognito-identity:DescribeIdentity', '*'],
    ['identity: new / token', 'cognito-identity:GetOpenIdTokenForDeveloperIdentity', poolArn],
    ['identity: developer user', 'cognito-identity:LookupDeveloperIdentity', poolArn],
    ['data plane endpoint', 'iot:DescribeEndpoint', '*'],
    ['token signing key', 'secretsmanager:GetSecretValue', secretArn],
    ['publish', 'iot:Publish', `${iot}:topic/webcomm/local/announcements`],
    ['retained publish (content-updates)', 'iot:RetainPublish', `${iot}:topic/webcomm/local/content-updates`],
    ['ban / kick', 'iot:DeleteConnection', `${iot}:client/eu-west-1:abc`],
  ];
}

describe('the service role, as IAM evaluates it', () => {
  it("every statement names resources of a type its actions take (AWS's Service Authorization Reference)", async () => {
    const problems: string[] = [];
    for (const statement of service.flatMap((policy) => policy.Statement))
      for (const action of statement.Action.filter((a) => !a.startsWith('logs:')))
        for (const resource of statement.Resource) {
          const problem = await resourceTypeProblem(action, resource);
          if (problem !== undefined) problems.push(problem);
        }
    expect(problems).toEqual([]);
  });

  it('allows every call the adapters make, and nothing outside its deployment', async () => {
    const decisions: string[] = [];
    for (const [call, action, resource] of serviceCalls())
      decisions.push(`${call}: ${action} ${await iamDecision(service, { action, resource }, at)}`);
    expect(decisions.filter((line) => !line.endsWith(' Allowed'))).toEqual([]);
    const elsewhere = `${iot}:topic/otherproject/prod/news`;
    expect(await iamDecision(service, { action: 'iot:Publish', resource: elsewhere }, at)).toBe('ImplicitlyDenied');
    expect(await iamDecision(service, { action: 'iot:RetainPublish', resource: elsewhere }, at)).toBe(
      'ImplicitlyDenied',
    );
  });
});

describe('the custom authorizer role', () => {
  it('reads single items of the user table and nothing else', async () => {
    const table = Object.keys(resources).find((id) => resources[id]?.Type === 'AWS::DynamoDB::Table') ?? '';
    const tableArn = `arn:aws:dynamodb:${at.region}:${at.account}:table/${table}`;
    const decide = (action: string): Promise<string> => iamDecision(authorizer, { action, resource: tableArn }, at);
    expect(await decide('dynamodb:GetItem')).toBe('Allowed');
    for (const action of ['dynamodb:Scan', 'dynamodb:Query', 'dynamodb:BatchGetItem', 'dynamodb:PutItem'])
      expect(`${action} ${await decide(action)}`).toBe(`${action} ImplicitlyDenied`);
  });
});

describe('the backend role in docs/deploying-to-aws.md', () => {
  it('allows what createBackend does: publish, retained publish (retainLatest channels) and disconnect', async () => {
    const doc = readFileSync(new URL('../../../../docs/deploying-to-aws.md', import.meta.url), 'utf8');
    const section = doc.slice(doc.indexOf('## Pushing from a backend'));
    const json = /```json\n([^]*?)```/.exec(section.slice(0, section.indexOf('\n## ', 4)))?.[1];
    expect(json, 'the section shows the role policy as a json block').toBeDefined();
    const filled = (json ?? '{}')
      .replaceAll('REGION', at.region)
      .replaceAll('ACCOUNT', at.account)
      .replaceAll('PROJECT', 'webcomm')
      .replaceAll('DEPLOYMENT', 'local');
    const backend = [JSON.parse(filled) as ResolvedPolicy];
    const topic = `${iot}:topic/webcomm/local/content-updates`;
    for (const [action, resource] of [
      ['iot:Publish', topic],
      ['iot:RetainPublish', topic],
      ['iot:DeleteConnection', `${iot}:client/eu-west-1:abc`],
    ] as const)
      expect(`${action} ${await iamDecision(backend, { action, resource }, at)}`).toBe(`${action} Allowed`);
  });
});
