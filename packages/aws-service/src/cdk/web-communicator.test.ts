/**
 * The WebCommunicator construct, synthesized once (bundling skipped: `aws:cdk:bundling-stacks`
 * is empty, so no esbuild run here; `pnpm synth` bundles for real) with cdk-nag's AwsSolutions
 * checks as a validation plugin: synthesis fails on any unacknowledged finding. Every resource
 * and policy is asserted from the one template.
 */
import { App, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ERROR_CODES } from '@webcomm/core';
import { DEFAULT_CHANNELS } from '@webcomm/service';
import { beforeAll, describe, expect, it } from 'vitest';
import { testTokenSigningKey, type TestTokenSigningKey } from '../testing/token-signing-key.js';
import { WebCommunicator, type CustomAuthorizerProps } from './web-communicator.js';

type Resource = { Type: string; Properties: Record<string, unknown> };
let template: Template;
let resources: Record<string, Resource>;
let signing: TestTokenSigningKey;

const ofType = (type: string): Resource[] => Object.values(resources).filter((r) => r.Type === type);
/** A CloudFormation value with its intrinsics flattened to text (`Fn::Join` parts, `Ref` names). */
const text = (value: unknown): string => JSON.stringify(value);
const statements = (document: unknown): { Action: string | string[]; Resource: unknown; Effect: string }[] =>
  (document as { Statement: never[] }).Statement;
const actionsOf = (document: unknown): string[] => statements(document).flatMap((s) => [s.Action].flat());

beforeAll(() => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Test', { env: { account: '123456789012', region: 'eu-west-1' } });
  const onChat = new LambdaFunction(stack, 'ChatRule', {
    runtime: Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: Code.fromInline('exports.handler = async () => {};'),
  });
  Validations.of(onChat).acknowledge({
    id: 'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    reason: 'test fixture, not part of the construct',
  });
  signing = testTokenSigningKey(stack, 'eu-west-1', '123456789012');
  new WebCommunicator(stack, 'WebComm', {
    channels: DEFAULT_CHANNELS,
    customAuthorizer: signing.props,
    rules: [{ name: 'chat_moderation', sql: "SELECT * FROM 'webcomm/local/chat'", function: onChat }],
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  // Synthesizes the app, running cdk-nag: throws "Validation failed" on any unacknowledged finding.
  template = Template.fromStack(stack);
  resources = template.toJSON().Resources as Record<string, Resource>;
}, 120_000);

describe('WebCommunicator (synthesized, cdk-nag AwsSolutions clean)', () => {
  it('synthesizes exactly these resources', () => {
    const counts: Record<string, number> = {};
    for (const r of Object.values(resources)) counts[r.Type] = (counts[r.Type] ?? 0) + 1;
    expect(counts).toEqual({
      'AWS::ApiGatewayV2::Api': 1,
      'AWS::ApiGatewayV2::Integration': 1,
      'AWS::ApiGatewayV2::Route': 5,
      'AWS::ApiGatewayV2::Stage': 1,
      'AWS::Cognito::IdentityPool': 1,
      'AWS::Cognito::IdentityPoolRoleAttachment': 1,
      'AWS::DynamoDB::Table': 1,
      'AWS::IAM::Policy': 2,
      'AWS::IAM::Role': 5,
      'AWS::IoT::Authorizer': 1,
      'AWS::IoT::Policy': 3,
      'AWS::IoT::TopicRule': 1,
      'AWS::Lambda::Function': 3,
      'AWS::Lambda::Permission': 7,
      'AWS::Logs::LogGroup': 3,
    });
  });

  it('the user table: ClientID hash key, on demand, encrypted, point-in-time recovery, kept on delete', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      Properties: {
        KeySchema: [{ AttributeName: 'ClientID', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
      },
    });
  });

  it('the identity pool allows guests and developer-authenticated identities, with a role for each', () => {
    template.hasResourceProperties('AWS::Cognito::IdentityPool', {
      AllowUnauthenticatedIdentities: true,
      DeveloperProviderName: 'webcomm.webcomm.local',
    });
    template.hasResourceProperties('AWS::Cognito::IdentityPoolRoleAttachment', {
      Roles: { authenticated: Match.anyValue(), unauthenticated: Match.anyValue() },
    });
    for (const amr of ['authenticated', 'unauthenticated']) {
      template.hasResourceProperties('AWS::IAM::Role', {
        AssumeRolePolicyDocument: {
          Statement: [
            Match.objectLike({
              Action: 'sts:AssumeRoleWithWebIdentity',
              Condition: {
                'ForAnyValue:StringLike': { 'cognito-identity.amazonaws.com:amr': amr },
                StringEquals: Match.anyValue(),
              },
            }),
          ],
        },
      });
    }
  });

  it('no player, guest or device policy may publish on any topic; the tool policy publishes on its one channel only', () => {
    const iotPolicies = Object.fromEntries(
      ofType('AWS::IoT::Policy').map((p) => [p.Properties.PolicyName as string, p.Properties.PolicyDocument]),
    );
    expect(Object.keys(iotPolicies).sort()).toEqual([
      'webcomm-local-device',
      'webcomm-local-player',
      'webcomm-local-tool-tools',
    ]);
    const identityRoles = ofType('AWS::IAM::Role').filter((r) =>
      text(r.Properties.AssumeRolePolicyDocument).includes('cognito-identity.amazonaws.com'),
    );
    expect(identityRoles).toHaveLength(2);
    const receiveOnly = [
      iotPolicies['webcomm-local-player'],
      iotPolicies['webcomm-local-device'],
      ...identityRoles.map((r) => (r.Properties.Policies as { PolicyDocument: unknown }[])[0]?.PolicyDocument),
    ];
    for (const document of receiveOnly) {
      expect(actionsOf(document).sort()).toEqual(['iot:Connect', 'iot:Receive', 'iot:Subscribe']);
      expect(text(document)).not.toMatch(/iot:\*|"\*"|topic\/\*|topic\/webcomm\/local\/\*/);
    }
    const tool = statements(iotPolicies['webcomm-local-tool-tools']);
    expect(tool).toHaveLength(1);
    expect(tool[0]?.Action).toBe('iot:Publish');
    expect(text(tool[0]?.Resource)).toMatch(/:topic\/webcomm\/local\/tools"/);
  });

  it('players connect as their identity and receive broadcast + their own private channel; guests get no private channel; devices connect as their thing', () => {
    const policy = (name: string): string =>
      text(ofType('AWS::IoT::Policy').find((p) => p.Properties.PolicyName === name)?.Properties.PolicyDocument);
    const player = policy('webcomm-local-player');
    expect(player).toContain(':client/${cognito-identity.amazonaws.com:sub}');
    expect(player).toContain(':topicfilter/webcomm/local/announcements');
    expect(player).toContain(':topic/webcomm/local/private/client/${cognito-identity.amazonaws.com:sub}');
    const device = policy('webcomm-local-device');
    expect(device).toContain(':client/${iot:Connection.Thing.ThingName}');
    expect(device).toContain('"iot:Connection.Thing.IsAttached":"true"');
    const guestRole = ofType('AWS::IAM::Role').find((r) =>
      text(r.Properties.AssumeRolePolicyDocument).includes('"unauthenticated"'),
    );
    const guest = text(guestRole?.Properties.Policies);
    expect(guest).toContain(':topic/webcomm/local/announcements');
    expect(guest).not.toContain('/client/');
  });

  it('the service role holds exactly the grants it needs (least privilege), each on named resources where AWS has one', () => {
    const policies = ofType('AWS::IAM::Policy');
    const service = policies.find((p) => text(p.Properties.Roles).includes('ServiceRole'));
    const grants = statements(service?.Properties.PolicyDocument).map(
      (s) =>
        `${[s.Action].flat().sort().join(',')} -> ${text(s.Resource)
          .replace(/\{"Fn::Join":\["",\[|\]\]\}|\{"Ref":"AWS::Partition"\}|"/g, '')
          .replace(/\{Fn::GetAtt:\[(\w+?)[A-F0-9]{8},Arn\]\}/g, '$1')}`,
    );
    expect(grants).toEqual([
      'logs:CreateLogStream,logs:PutLogEvents -> WebCommServiceLogs',
      'dynamodb:GetItem,dynamodb:PutItem,dynamodb:Scan,dynamodb:UpdateItem -> WebCommUsers',
      'cognito-identity:GetOpenIdTokenForDeveloperIdentity,cognito-identity:LookupDeveloperIdentity -> arn:,,:cognito-identity:eu-west-1:123456789012:identitypool/,{Ref:WebCommIdentityPool' +
        (grantsRef(service) ?? '') +
        '}',
      'iot:AttachThingPrincipal,iot:UpdateCertificate -> arn:,,:iot:eu-west-1:123456789012:cert/*',
      'iot:CreateThing,iot:ListThingPrincipals -> arn:,,:iot:eu-west-1:123456789012:thing/*',
      'cognito-identity:DescribeIdentity,iot:AttachPolicy,iot:CreateKeysAndCertificate,iot:DescribeEndpoint,iot:DetachPolicy -> *',
      'iot:Publish,iot:RetainPublish -> arn:,,:iot:eu-west-1:123456789012:topic/webcomm/local/*',
      'iot:DeleteConnection -> arn:,,:iot:eu-west-1:123456789012:client/*',
      'secretsmanager:GetSecretValue -> arn:aws:secretsmanager:eu-west-1:123456789012:secret:webcomm/token-signing-key-AbCdEf',
    ]);
    const authorizer = policies.find((p) => text(p.Properties.Roles).includes('AuthorizerRole'));
    // The authorizer reads the token's hash and the user: GetItem alone.
    expect(
      actionsOf(authorizer?.Properties.PolicyDocument)
        .filter((a) => !a.startsWith('logs:'))
        .sort(),
    ).toEqual(['dynamodb:GetItem']);
  });

  it('the HTTP API: four client routes without IAM, /admin/{proxy+} with IAM; throttled, registrations more so; access logs', () => {
    const routes = ofType('AWS::ApiGatewayV2::Route')
      .map(
        (r) => `${r.Properties.RouteKey as string} ${(r.Properties.AuthorizationType as string | undefined) ?? 'NONE'}`,
      )
      .sort();
    expect(routes).toEqual([
      'ANY /admin/{proxy+} AWS_IAM',
      'GET /channels NONE',
      'GET /status NONE',
      'POST /publish NONE',
      'POST /register NONE',
    ]);
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
      RouteSettings: { 'POST /register': { ThrottlingRateLimit: 5, ThrottlingBurstLimit: 10 } },
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('requestId') },
    });
  });

  it('the stage is created after every route its RouteSettings names (else "Unable to find Route by key")', () => {
    const raw = template.toJSON().Resources as Record<
      string,
      { Type: string; Properties: Record<string, unknown>; DependsOn?: string[] }
    >;
    const routeIds = Object.fromEntries(
      Object.entries(raw)
        .filter(([, r]) => r.Type === 'AWS::ApiGatewayV2::Route')
        .map(([logicalId, r]) => [r.Properties.RouteKey as string, logicalId]),
    );
    const [stage] = Object.values(raw).filter((r) => r.Type === 'AWS::ApiGatewayV2::Stage');
    const named = Object.keys((stage?.Properties.RouteSettings ?? {}) as Record<string, unknown>);
    expect(named.length).toBeGreaterThan(0);
    for (const key of named) expect(stage?.DependsOn ?? []).toContain(routeIds[key]);
  });

  it('a browser game on another origin can call the client routes (CORS), and the stack outputs what clients and operators need', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: {
        AllowOrigins: ['*'],
        AllowMethods: Match.arrayWith(['GET', 'POST']),
        AllowHeaders: Match.arrayWith(['authorization', 'content-type']),
        ExposeHeaders: ['retry-after'],
      },
    });
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown; Description?: string }>;
    const byName = (suffix: string): string =>
      text(Object.entries(outputs ?? {}).find(([name]) => name.includes(suffix))?.[1]?.Value);
    expect(byName('ServiceUrl')).toContain('WebCommApi');
    expect(byName('IdentityPoolId')).toContain('WebCommIdentityPool');
    expect(byName('UserTableName')).toContain('WebCommUsers');
    expect(byName('AuthorizerName')).toContain('webcomm-local-token');
  });

  it('Lambda functions run Node 24 with their own log groups; the service function gets the construct settings', () => {
    for (const fn of ofType('AWS::Lambda::Function')) expect(fn.Properties.Runtime).toBe('nodejs24.x');
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          PLAYER_POLICY: 'webcomm-local-player',
          DEVICE_POLICY: 'webcomm-local-device',
          DEVELOPER_PROVIDER: 'webcomm.webcomm.local',
          CHANNELS: JSON.stringify(DEFAULT_CHANNELS),
          // Cognito's longest token: the fleet re-registers daily, not at each hourly credentials refresh.
          OPENID_TOKEN_SECONDS: '86400',
        }),
      },
    });
  });

  it('the custom authorizer and the topic rule: each invocable by IoT only, from its own ARN', () => {
    // Signing on: IoT checks the token's signature before it invokes (and bills) the function.
    template.hasResourceProperties('AWS::IoT::Authorizer', {
      AuthorizerName: 'webcomm-local-token',
      Status: 'ACTIVE',
      SigningDisabled: false,
      TokenKeyName: 'token',
      TokenSigningPublicKeys: { webcomm: signing.publicKeyPem },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ TOKEN_SIGNING_SECRET: signing.secretArn }) },
    });
    template.hasResourceProperties('AWS::IoT::TopicRule', {
      RuleName: 'chat_moderation',
      TopicRulePayload: {
        Sql: "SELECT * FROM 'webcomm/local/chat'",
        AwsIotSqlVersion: '2016-03-23',
        Actions: [{ Lambda: { FunctionArn: Match.anyValue() } }],
      },
    });
    const iotInvokes = ofType('AWS::Lambda::Permission').filter((p) => p.Properties.Principal === 'iot.amazonaws.com');
    expect(iotInvokes).toHaveLength(2);
    for (const permission of iotInvokes)
      expect(text(permission.Properties.SourceArn)).toMatch(
        /"Fn::GetAtt":\["WebComm(Authorizer|Rulechatmoderation)[A-F0-9]{8}","Arn"\]/,
      );
  });

  it('refuses bad props with INVALID_OPTION naming the field', () => {
    const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Bad');
    expect(
      () => new WebCommunicator(stack, 'A', { channels: { project: 'a/b', deployment: 'x', channels: [] } }),
    ).toThrow(
      expect.objectContaining({ code: ERROR_CODES.INVALID_OPTION, message: expect.stringContaining('"project"') }),
    );
    const fn = new LambdaFunction(stack, 'F', {
      runtime: Runtime.NODEJS_24_X,
      handler: 'i.h',
      code: Code.fromInline('exports.h = 1;'),
    });
    expect(
      () =>
        new WebCommunicator(stack, 'B', {
          channels: DEFAULT_CHANNELS,
          rules: [{ name: 'bad-name', sql: 'SELECT 1', function: fn }],
        }),
    ).toThrow(/letters, digits or "_"/);
    expect(
      () =>
        new WebCommunicator(stack, 'C', {
          channels: DEFAULT_CHANNELS,
          customAuthorizer: true as unknown as CustomAuthorizerProps,
        }),
    ).toThrow(
      expect.objectContaining({
        code: ERROR_CODES.INVALID_OPTION,
        message: expect.stringContaining('token signing is required'),
      }),
    );
    expect(
      () => new WebCommunicator(stack, 'G', { channels: DEFAULT_CHANNELS, openIdTokenLifetime: Duration.hours(25) }),
    ).toThrow(/openIdTokenLifetime must be 1 second to 24 hours/);
    // The authorizer's policy for the longest client id must fit IoT's 10 documents of 2,048 characters.
    const many = (count: number) => ({
      project: 'mygame',
      deployment: 'production',
      channels: Array.from({ length: count }, (_, i) => ({
        name: `private-channel-${i}`,
        type: 'private' as const,
        clientPublish: false,
      })),
    });
    expect(
      () => new WebCommunicator(stack, 'D', { channels: many(14), customAuthorizer: signing.props }),
    ).not.toThrow();
    expect(() => new WebCommunicator(stack, 'E', { channels: many(60), customAuthorizer: signing.props })).toThrow(
      expect.objectContaining({
        code: ERROR_CODES.INVALID_OPTION,
        message: expect.stringMatching(/customAuthorizer: .*60 channels needs \d+ documents .*IoT Core accepts 10/),
      }),
    );
  });
});

function grantsRef(service: Resource | undefined): string | undefined {
  return /WebCommIdentityPool([A-F0-9]{8})/.exec(text(service?.Properties.PolicyDocument))?.[1];
}
