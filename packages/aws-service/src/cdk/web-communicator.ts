/**
 * `new WebCommunicator(scope, id, { channels })`: the Web Communicator service on AWS IoT Core.
 *
 * - a Cognito identity pool: guests (unauthenticated role: broadcast channels only) and
 *   developer-authenticated identities for registered clients (`developerProvider`);
 * - IoT policies per kind: player (attached to each registered identity), device / dedicated
 *   server (attached to each certificate), and one trusted-tool policy per `trustedPublish`
 *   channel; none but the tool policies allows `iot:Publish`;
 * - a DynamoDB user table (hash key `ClientID`);
 * - one Lambda function (NodejsFunction, bundled locally with esbuild) serving the API behind an
 *   API Gateway HTTP API: client routes throttled, `/admin/*` behind IAM authorization;
 * - optionally an IoT custom authorizer (service token → policy) and IoT topic rules invoking
 *   Lambda functions.
 *
 * Every IAM grant names its resources; the wildcards that remain (APIs with no resource to
 * name, resources made at run time) are acknowledged for cdk-nag with the reason in code.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ArnFormat,
  CfnOutput,
  Duration,
  RemovalPolicy,
  Stack,
  Token,
  Validations,
  type CfnResource,
} from 'aws-cdk-lib';
import type { CfnStage } from 'aws-cdk-lib/aws-apigatewayv2';
import { CorsHttpMethod, HttpApi, HttpMethod, type HttpRoute } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { CfnIdentityPool, CfnIdentityPoolRoleAttachment } from 'aws-cdk-lib/aws-cognito';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import {
  Effect,
  FederatedPrincipal,
  PolicyDocument,
  PolicyStatement,
  Role,
  ServicePrincipal,
} from 'aws-cdk-lib/aws-iam';
import { CfnAuthorizer, CfnPolicy, CfnTopicRule } from 'aws-cdk-lib/aws-iot';
import { CfnPermission, Runtime, type IFunction } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { ERROR_CODES, WebcommError } from '@webcomm/core';
import { validateChannelsConfig, type ChannelsConfig } from '@webcomm/service';
import { authorizedClientPolicies, LONGEST_CLIENT_ID, LONGEST_IOT_ARN } from '../authorizer-policies.js';
import { devicePolicy, playerPolicy, toolPublishPolicy } from '../iot-policies.js';

/** An IoT topic rule: SQL over the broker's messages, invoking a Lambda function. */
export interface TopicRuleProps {
  /** Rule name: letters, digits and `_` (IoT's rule). */
  readonly name: string;
  /** IoT SQL, e.g. `SELECT * FROM 'webcomm/prod/chat'`. */
  readonly sql: string;
  /** The function the rule invokes. */
  readonly function: IFunction;
  /** @default '2016-03-23' */
  readonly sqlVersion?: string;
}

/**
 * The IoT custom authorizer, with token signing on: IoT verifies each connection's token
 * signature with `tokenSigningPublicKeyPem` before it invokes (and bills) the authorizer
 * function, so forged tokens cost nothing. The service signs each token it issues with the
 * matching private key, kept in `tokenSigningKey` (PEM as the secret's text), and hands the
 * signature to the client with the token (`serviceTokenSignature`).
 *
 * Make the pair once: `openssl genrsa -out token-key.pem 2048`, `openssl rsa -in token-key.pem
 * -pubout -out token-key.pub.pem`, `aws secretsmanager create-secret --name NAME --secret-string
 * file://token-key.pem`.
 */
export interface CustomAuthorizerProps {
  /** The RSA public key (PEM) IoT verifies token signatures with. */
  readonly tokenSigningPublicKeyPem: string;
  /** The secret holding the matching RSA private key (PEM); the service function may read it, nothing else. */
  readonly tokenSigningKey: ISecret;
}

/** Props of {@link WebCommunicator}. */
export interface WebCommunicatorProps {
  /** Project, deployment and channels: the topic layout `{project}/{deployment}/{channel}`. */
  readonly channels: ChannelsConfig;
  /** Steady client requests per second on the API (API Gateway throttling). @default 50 */
  readonly rateLimit?: number;
  /** Client request burst on the API. @default 100 */
  readonly burstLimit?: number;
  /**
   * How long the Cognito OpenID token of a registration lasts. A WEBSOCKET client registers again
   * for a new token when its hourly credentials refresh finds it expired, so a short token makes
   * the fleet re-register hourly (28/s at 100,000 players, against `POST /register`'s throttle of
   * a tenth of `rateLimit`); Cognito allows 1 second to 24 hours. A ban does not wait for it: it
   * detaches the player policy at once. @default Duration.hours(24)
   */
  readonly openIdTokenLifetime?: Duration;
  /** Deploy an IoT custom authorizer (signed service token → policy document). @default none */
  readonly customAuthorizer?: CustomAuthorizerProps;
  /** IoT topic rules with a Lambda action. @default none */
  readonly rules?: readonly TopicRuleProps[];
  /** What happens to the user table when the stack is deleted. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Origins allowed to call the client routes from a browser (CORS), e.g. `['https://mygame.example']`.
   * @default ['*'] (any origin: the client routes authenticate with a bearer token, not cookies)
   */
  readonly corsOrigins?: readonly string[];
  /**
   * esbuild settings merged over the construct's (e.g. `tsconfig`, so a workspace bundles
   * `@webcomm/*` from source through its path mapping). @default the construct's: ESM, minified, SDK bundled
   */
  readonly bundling?: BundlingOptions;
}

/**
 * esbuild, run locally (no Docker). The AWS SDK is bundled rather than taken from the runtime,
 * so the function runs the SDK versions this package was tested with.
 */
const BUNDLING: BundlingOptions = {
  format: OutputFormat.ESM,
  minify: true,
  sourceMap: true,
  target: 'node22',
  mainFields: ['module', 'main'],
  externalModules: [],
  banner: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
};

function checkRule(rule: TopicRuleProps): void {
  if (typeof rule?.name !== 'string' || !/^[a-zA-Z0-9_]{1,128}$/.test(rule.name)) {
    throw new WebcommError(
      ERROR_CODES.INVALID_OPTION,
      `WebCommunicator rules: "${String(rule?.name)}" must be 1-128 letters, digits or "_" (IoT rule names).`,
    );
  }
  if (typeof rule.sql !== 'string' || !/^\s*SELECT\s/i.test(rule.sql))
    throw new WebcommError(
      ERROR_CODES.INVALID_OPTION,
      `WebCommunicator rules: "${rule.name}".sql must be IoT SQL starting with SELECT.`,
    );
}

function checkCustomAuthorizer(authorizer: unknown): void {
  const props = authorizer as Partial<CustomAuthorizerProps> | null;
  if (
    typeof props !== 'object' ||
    props === null ||
    typeof props.tokenSigningPublicKeyPem !== 'string' ||
    !props.tokenSigningPublicKeyPem.includes('-----BEGIN PUBLIC KEY-----') ||
    props.tokenSigningKey === undefined
  ) {
    throw new WebcommError(
      ERROR_CODES.INVALID_OPTION,
      'WebCommunicator customAuthorizer: token signing is required (an unsigned authorizer lets anyone make IoT invoke, and bill, the function). Pass { tokenSigningPublicKeyPem: "-----BEGIN PUBLIC KEY-----...", tokenSigningKey: Secret.fromSecretNameV2(...) }; docs/deploying-to-aws.md shows how to make the key pair.',
    );
  }
}

/** The names of the Lambda entry files, next to this module (src: .ts, dist: .js). */
function entryFile(name: string): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [
    join(here, '..', 'lambda', `${name}.ts`),
    join(here, '..', 'lambda', `${name}.js`),
    join(here, 'lambda', `${name}.js`),
  ];
  const found = candidates.find((file) => existsSync(file));
  if (found === undefined)
    throw new Error(`@webcomm/aws-service: Lambda entry ${name} not found (looked in ${candidates.join(', ')})`);
  return found;
}

/** The token key name of the custom authorizer (`token=SERVICE_TOKEN` in the query or headers). */
export const AUTHORIZER_TOKEN_KEY = 'token';

/** The Web Communicator service, deployed. */
export class WebCommunicator extends Construct {
  /** The user table. */
  readonly table: Table;
  /** The Cognito identity pool id. */
  readonly identityPoolId: string;
  /** The developer provider name of the identity pool. */
  readonly developerProvider: string;
  /** The service API's URL. */
  readonly apiUrl: string;
  /** The function serving the API. */
  readonly serviceFunction: NodejsFunction;
  /** The IoT policy names: player, device, and the tool policy of each trustedPublish channel. */
  readonly policyNames: {
    readonly player: string;
    readonly device: string;
    readonly tools: Readonly<Record<string, string>>;
  };

  constructor(scope: Construct, id: string, props: WebCommunicatorProps) {
    super(scope, id);
    let config: ChannelsConfig;
    try {
      config = validateChannelsConfig(props?.channels);
    } catch (error) {
      throw new WebcommError(
        ERROR_CODES.INVALID_OPTION,
        `WebCommunicator "${id}": ${(error as Error).message} Pass channels: { project, deployment, channels: [...] }.`,
        { cause: error },
      );
    }
    for (const rule of props.rules ?? []) checkRule(rule);
    const openIdTokenSeconds = (props.openIdTokenLifetime ?? Duration.hours(24)).toSeconds();
    if (!Number.isInteger(openIdTokenSeconds) || openIdTokenSeconds < 1 || openIdTokenSeconds > 86_400)
      throw new WebcommError(
        ERROR_CODES.INVALID_OPTION,
        `WebCommunicator "${id}": openIdTokenLifetime must be 1 second to 24 hours (Cognito's range), not ${openIdTokenSeconds} s.`,
      );
    if (props.customAuthorizer !== undefined) {
      checkCustomAuthorizer(props.customAuthorizer);
      try {
        // The authorizer's answer for the longest client id must fit IoT's 10 documents of 2,048 characters.
        authorizedClientPolicies(config, LONGEST_IOT_ARN, LONGEST_CLIENT_ID);
      } catch (error) {
        throw new WebcommError(
          ERROR_CODES.INVALID_OPTION,
          `WebCommunicator "${id}" customAuthorizer: ${(error as Error).message}`,
          { cause: error },
        );
      }
    }
    const stack = Stack.of(this);
    const iotArn = `arn:${stack.partition}:iot:${stack.region}:${stack.account}`;
    const prefix = `${config.project}-${config.deployment}`;

    // Users
    this.table = new Table(this, 'Users', {
      partitionKey: { name: 'ClientID', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });

    // IoT policies
    const player = new CfnPolicy(this, 'PlayerPolicy', {
      policyName: `${prefix}-player`,
      policyDocument: playerPolicy(config, iotArn),
    });
    const device = new CfnPolicy(this, 'DevicePolicy', {
      policyName: `${prefix}-device`,
      policyDocument: devicePolicy(config, iotArn),
    });
    const tools: Record<string, string> = {};
    for (const channel of config.channels.filter((c) => c.trustedPublish === true)) {
      const policy = new CfnPolicy(this, `ToolPolicy-${channel.name}`, {
        policyName: `${prefix}-tool-${channel.name}`,
        policyDocument: toolPublishPolicy(config, iotArn, channel),
      });
      tools[channel.name] = policy.policyName as string;
    }
    this.policyNames = { player: player.policyName as string, device: device.policyName as string, tools };

    // Identities
    this.developerProvider = `webcomm.${config.project}.${config.deployment}`;
    const pool = new CfnIdentityPool(this, 'IdentityPool', {
      allowUnauthenticatedIdentities: true,
      developerProviderName: this.developerProvider,
    });
    this.identityPoolId = pool.ref;
    const identityRole = (kind: 'authenticated' | 'unauthenticated', document: ReturnType<typeof playerPolicy>): Role =>
      new Role(this, kind === 'authenticated' ? 'PlayerRole' : 'GuestRole', {
        assumedBy: new FederatedPrincipal(
          'cognito-identity.amazonaws.com',
          {
            StringEquals: { 'cognito-identity.amazonaws.com:aud': pool.ref },
            'ForAnyValue:StringLike': { 'cognito-identity.amazonaws.com:amr': kind },
          },
          'sts:AssumeRoleWithWebIdentity',
        ),
        inlinePolicies: { iot: PolicyDocument.fromJson(document) },
      });
    const guestRole = identityRole('unauthenticated', playerPolicy(config, iotArn, { guest: true }));
    const playerRole = identityRole('authenticated', playerPolicy(config, iotArn));
    new CfnIdentityPoolRoleAttachment(this, 'IdentityPoolRoles', {
      identityPoolId: pool.ref,
      roles: { unauthenticated: guestRole.roleArn, authenticated: playerRole.roleArn },
    });

    // The service function
    const logGroup = new LogGroup(this, 'ServiceLogs', {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const serviceRole = new Role(this, 'ServiceRole', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    this.serviceFunction = new NodejsFunction(this, 'ServiceFunction', {
      entry: entryFile('service-function'),
      handler: 'handler',
      runtime: Runtime.NODEJS_24_X,
      memorySize: 256,
      timeout: Duration.seconds(10),
      role: serviceRole,
      logGroup,
      environment: {
        TABLE_NAME: this.table.tableName,
        IDENTITY_POOL_ID: pool.ref,
        DEVELOPER_PROVIDER: this.developerProvider,
        PLAYER_POLICY: this.policyNames.player,
        DEVICE_POLICY: this.policyNames.device,
        TOOL_POLICIES: JSON.stringify(tools),
        CHANNELS: JSON.stringify(config),
        OPENID_TOKEN_SECONDS: String(openIdTokenSeconds),
        ...(props.customAuthorizer === undefined
          ? {}
          : { TOKEN_SIGNING_SECRET: props.customAuthorizer.tokenSigningKey.secretArn }),
      },
      bundling: { ...BUNDLING, ...props.bundling },
    });
    this.serviceFunction.node.addDependency(player, device);
    logGroup.grantWrite(serviceRole);
    const allow = (actions: string[], resources: string[]): void => {
      serviceRole.addToPolicy(new PolicyStatement({ effect: Effect.ALLOW, actions, resources }));
    };
    // Resource types as AWS's Service Authorization Reference gives them per action (service-iam.test.ts
    // checks each statement against that table and evaluates every adapter call with iam-simulate).
    allow(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Scan'], [this.table.tableArn]);
    allow(
      ['cognito-identity:GetOpenIdTokenForDeveloperIdentity', 'cognito-identity:LookupDeveloperIdentity'],
      [
        stack.formatArn({
          service: 'cognito-identity',
          resource: 'identitypool',
          resourceName: pool.ref,
          arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
        }),
      ],
    );
    allow(['iot:UpdateCertificate', 'iot:AttachThingPrincipal'], [`${iotArn}:cert/*`]);
    // ListThingPrincipals: a client's certificates are its thing's principals (ban, grants, renewals).
    allow(['iot:CreateThing', 'iot:ListThingPrincipals'], [`${iotArn}:thing/*`]);
    allow(
      [
        'iot:CreateKeysAndCertificate',
        'iot:DescribeEndpoint',
        'cognito-identity:DescribeIdentity',
        'iot:AttachPolicy',
        'iot:DetachPolicy',
      ],
      ['*'],
    );
    allow(['iot:Publish', 'iot:RetainPublish'], [`${iotArn}:topic/${config.project}/${config.deployment}/*`]);
    allow(['iot:DeleteConnection'], [`${iotArn}:client/*`]);
    const signingKey = props.customAuthorizer?.tokenSigningKey;
    if (signingKey !== undefined) {
      // Read once per cold start to sign the tokens it issues; a name-only secret ARN ends in AWS's 6-character suffix.
      allow(['secretsmanager:GetSecretValue'], [signingKey.secretFullArn ?? `${signingKey.secretArn}-??????`]);
      signingKey.encryptionKey?.grantDecrypt(serviceRole);
    }
    // cdk-nag's IAM5 flags every wildcard; each one here is deliberate and acknowledged by its
    // exact finding, so a new wildcard still fails the check (and the construct test lists the role's statements).
    const nagIot = `arn:<AWS::Partition>:iot:${Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region}:${Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account}`;
    const wildcards: [finding: string, reason: string][] = [
      [
        '*',
        'iot:CreateKeysAndCertificate, iot:DescribeEndpoint and cognito-identity:DescribeIdentity have no resource type (only "*" matches them); iot:AttachPolicy/DetachPolicy target Cognito identity ids, which have no ARN, so AWS evaluates them against "*" (its own examples grant "*").',
      ],
      [
        `${nagIot}:cert/*`,
        'Certificates are created at registration, so their ids are unknown at deploy time; only iot:UpdateCertificate (ban: INACTIVE, unban: ACTIVE) and iot:AttachThingPrincipal (its resource type is the certificate).',
      ],
      [
        `${nagIot}:thing/*`,
        'Things (one per certificate client, named after its client id) are created at registration; only iot:CreateThing and iot:ListThingPrincipals (the certificates of a client are the principals of its thing).',
      ],
      [
        `${nagIot}:topic/${config.project}/${config.deployment}/*`,
        "The service publishes, retained or not (validated client publish, admin publish, content channels), on this deployment's own channel topics only.",
      ],
      [
        `${nagIot}:client/*`,
        "A ban drops the banned client's live connection (iot:DeleteConnection), whichever client id it has.",
      ],
    ];
    for (const [finding, reason] of wildcards)
      Validations.of(serviceRole).acknowledge({ id: `AwsSolutions::AwsSolutions-IAM5[Resource::${finding}]`, reason });
    // The HTTP API
    const integration = new HttpLambdaIntegration('Service', this.serviceFunction);
    const api = new HttpApi(this, 'Api', {
      createDefaultStage: true,
      // Browser games on their own origin call the client routes; API Gateway answers the preflight.
      corsPreflight: {
        allowOrigins: [...(props.corsOrigins ?? ['*'])],
        allowMethods: [CorsHttpMethod.GET, CorsHttpMethod.POST, CorsHttpMethod.OPTIONS],
        allowHeaders: ['authorization', 'content-type'],
        exposeHeaders: ['retry-after'],
        maxAge: Duration.hours(1),
      },
    });
    const publicRoute = (path: string, method: HttpMethod): HttpRoute[] =>
      api.addRoutes({ path, methods: [method], integration });
    const registerRoutes = publicRoute('/register', HttpMethod.POST);
    publicRoute('/channels', HttpMethod.GET);
    publicRoute('/status', HttpMethod.GET);
    publicRoute('/publish', HttpMethod.POST);
    const adminRoutes = api.addRoutes({
      path: '/admin/{proxy+}',
      methods: [HttpMethod.ANY],
      integration,
      authorizer: new HttpIamAuthorizer(),
    });
    const stage = api.defaultStage?.node.defaultChild as CfnStage;
    const accessLogs = new LogGroup(this, 'ApiAccessLogs', {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    stage.accessLogSettings = {
      destinationArn: accessLogs.logGroupArn,
      format: JSON.stringify({
        requestId: '$context.requestId',
        ip: '$context.identity.sourceIp',
        route: '$context.routeKey',
        status: '$context.status',
        latency: '$context.responseLatency',
      }),
    };
    const rateLimit = props.rateLimit ?? 50;
    const burstLimit = props.burstLimit ?? 100;
    stage.defaultRouteSettings = { throttlingRateLimit: rateLimit, throttlingBurstLimit: burstLimit };
    // Registrations are the costly route (a Cognito identity or a certificate each): a tenth of the rate.
    // routeSettings is a raw JSON map: CloudFormation's own (PascalCase) keys.
    // The stage must come after the routes its settings name, or API Gateway may create it first
    // and answer "Unable to find Route by key POST /register".
    for (const route of registerRoutes) stage.node.addDependency(route);
    stage.routeSettings = {
      'POST /register': {
        ThrottlingRateLimit: Math.max(1, Math.floor(rateLimit / 10)),
        ThrottlingBurstLimit: Math.max(1, Math.floor(burstLimit / 10)),
      },
    };
    this.apiUrl = api.apiEndpoint;
    for (const route of api.node
      .findAll()
      .filter((c) => (c as CfnResource).cfnResourceType === 'AWS::ApiGatewayV2::Route')) {
      if (adminRoutes.some((admin) => route.node.scope === admin)) continue;
      Validations.of(route).acknowledge({
        id: 'AwsSolutions::AwsSolutions-APIG4',
        reason:
          'Client routes authenticate in the function: /register is open by design (rate-limited per address and throttled), the others need the service token issued by /register.',
      });
    }

    const output = (id: string, value: string, description: string): void =>
      void new CfnOutput(this, id, { value, description });
    output(
      'ServiceUrl',
      this.apiUrl,
      'The service URL: clients pass it as serviceUrl (POST /register, GET /channels ...).',
    );
    output('IdentityPoolId', pool.ref, 'The Cognito identity pool of players and guests.');
    output('UserTableName', this.table.tableName, 'The DynamoDB user table (ClientID hash key).');
    if (props.customAuthorizer !== undefined) {
      const authorizerName = this.#customAuthorizer(config, prefix, props.customAuthorizer, props.bundling);
      output('AuthorizerName', authorizerName, 'The IoT custom authorizer clients name (x-amz-customauthorizer-name).');
    }
    for (const rule of props.rules ?? []) this.#topicRule(rule);

    Validations.of(pool).acknowledge({
      id: 'AwsSolutions::AwsSolutions-COG7',
      reason:
        'Guests are part of the design: the unauthenticated role only connects as its own identity and receives broadcast channels (no publish, no private channel).',
    });
  }

  /** Deploys the custom authorizer; returns its name. */
  #customAuthorizer(
    config: ChannelsConfig,
    prefix: string,
    signing: CustomAuthorizerProps,
    bundling: BundlingOptions | undefined,
  ): string {
    const role = new Role(this, 'AuthorizerRole', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    const logGroup = new LogGroup(this, 'AuthorizerLogs', {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const fn = new NodejsFunction(this, 'AuthorizerFunction', {
      entry: entryFile('authorizer-function'),
      handler: 'handler',
      runtime: Runtime.NODEJS_24_X,
      memorySize: 256,
      timeout: Duration.seconds(5),
      role,
      logGroup,
      environment: { TABLE_NAME: this.table.tableName, CHANNELS: JSON.stringify(config) },
      bundling: { ...BUNDLING, ...bundling },
    });
    logGroup.grantWrite(role);
    // The authorizer reads two items per connect (the token's hash, the user): GetItem, nothing else.
    role.addToPolicy(
      new PolicyStatement({ effect: Effect.ALLOW, actions: ['dynamodb:GetItem'], resources: [this.table.tableArn] }),
    );
    Validations.of(role).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM5',
      reason: "The log group grant adds the log stream wildcard of this function's own log group.",
    });
    const authorizer = new CfnAuthorizer(this, 'Authorizer', {
      authorizerName: `${prefix}-token`,
      authorizerFunctionArn: fn.functionArn,
      signingDisabled: false,
      tokenKeyName: AUTHORIZER_TOKEN_KEY,
      tokenSigningPublicKeys: { webcomm: signing.tokenSigningPublicKeyPem },
      status: 'ACTIVE',
      enableCachingForHttp: false,
    });
    new CfnPermission(this, 'AuthorizerInvoke', {
      action: 'lambda:InvokeFunction',
      functionName: fn.functionArn,
      principal: 'iot.amazonaws.com',
      sourceArn: authorizer.attrArn,
    });
    return authorizer.authorizerName as string;
  }

  #topicRule(rule: TopicRuleProps): void {
    const topicRule = new CfnTopicRule(this, `Rule-${rule.name}`, {
      ruleName: rule.name,
      topicRulePayload: {
        sql: rule.sql,
        awsIotSqlVersion: rule.sqlVersion ?? '2016-03-23',
        ruleDisabled: false,
        actions: [{ lambda: { functionArn: rule.function.functionArn } }],
      },
    });
    new CfnPermission(this, `RuleInvoke-${rule.name}`, {
      action: 'lambda:InvokeFunction',
      functionName: rule.function.functionArn,
      principal: 'iot.amazonaws.com',
      sourceArn: topicRule.attrArn,
    });
  }
}
