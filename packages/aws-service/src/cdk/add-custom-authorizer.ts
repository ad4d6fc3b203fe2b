/**
 * The IoT custom authorizer, with token signing on: a Lambda function that turns a signed service
 * token into the client's policy documents, allowed to read the user table only.
 */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { Effect, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { CfnAuthorizer } from 'aws-cdk-lib/aws-iot';
import { CfnPermission, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { ChannelsConfig } from '@webcomm/service';
import { LAMBDA_BUNDLING, lambdaEntry } from './lambda-bundling.js';
import type { CustomAuthorizerProps } from './web-communicator-props.js';

/** The token key name of the custom authorizer (`token=SERVICE_TOKEN` in the query or headers). */
export const AUTHORIZER_TOKEN_KEY = 'token';

/**
 * Adds the custom authorizer `{prefix}-token` to `scope`, verifying tokens with `signing`'s public
 * key and reading `table`; returns its name.
 */
export function addCustomAuthorizer(
  scope: Construct,
  config: ChannelsConfig,
  prefix: string,
  table: Table,
  signing: CustomAuthorizerProps,
  bundling: BundlingOptions | undefined,
): string {
  const role = new Role(scope, 'AuthorizerRole', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
  const logGroup = new LogGroup(scope, 'AuthorizerLogs', {
    retention: RetentionDays.ONE_MONTH,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  const fn = new NodejsFunction(scope, 'AuthorizerFunction', {
    entry: lambdaEntry('authorizer-function'),
    handler: 'handler',
    runtime: Runtime.NODEJS_24_X,
    memorySize: 256,
    timeout: Duration.seconds(5),
    role,
    logGroup,
    environment: { TABLE_NAME: table.tableName, CHANNELS: JSON.stringify(config) },
    bundling: { ...LAMBDA_BUNDLING, ...bundling },
  });
  logGroup.grantWrite(role);
  // The authorizer reads two items per connect (the token's hash, the user): GetItem, nothing else.
  role.addToPolicy(
    new PolicyStatement({ effect: Effect.ALLOW, actions: ['dynamodb:GetItem'], resources: [table.tableArn] }),
  );
  Validations.of(role).acknowledge({
    id: 'AwsSolutions::AwsSolutions-IAM5',
    reason: "The log group grant adds the log stream wildcard of this function's own log group.",
  });
  const authorizer = new CfnAuthorizer(scope, 'Authorizer', {
    authorizerName: `${prefix}-token`,
    authorizerFunctionArn: fn.functionArn,
    signingDisabled: false,
    tokenKeyName: AUTHORIZER_TOKEN_KEY,
    tokenSigningPublicKeys: { webcomm: signing.tokenSigningPublicKeyPem },
    status: 'ACTIVE',
    enableCachingForHttp: false,
  });
  new CfnPermission(scope, 'AuthorizerInvoke', {
    action: 'lambda:InvokeFunction',
    functionName: fn.functionArn,
    principal: 'iot.amazonaws.com',
    sourceArn: authorizer.attrArn,
  });
  return authorizer.authorizerName as string;
}
