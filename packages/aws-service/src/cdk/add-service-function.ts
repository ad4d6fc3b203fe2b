/**
 * The one Lambda function serving the API (NodejsFunction, bundled locally with esbuild), with its
 * role and log group; its other grants are `grantServiceRole`'s.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { ChannelsConfig } from '@webcomm/service';
import type { IotPolicies } from './add-iot-policies.js';
import { LAMBDA_BUNDLING, lambdaEntry } from './lambda-bundling.js';
import type { CustomAuthorizerProps } from './web-communicator-props.js';

/** What the service function is configured with (its environment). */
export interface ServiceFunctionProps {
  readonly config: ChannelsConfig;
  readonly table: Table;
  readonly identityPoolId: string;
  readonly developerProvider: string;
  readonly policies: IotPolicies;
  readonly openIdTokenSeconds: number;
  readonly customAuthorizer?: CustomAuthorizerProps;
  readonly bundling?: BundlingOptions;
}

/** The service function and the role it runs as. */
export interface ServiceFunction {
  readonly fn: NodejsFunction;
  readonly role: Role;
}

/** Adds the service function, its role (allowed to write its logs only) and its log group to `scope`. */
export function addServiceFunction(scope: Construct, props: ServiceFunctionProps): ServiceFunction {
  const { config, policies } = props;
  const logGroup = new LogGroup(scope, 'ServiceLogs', {
    retention: RetentionDays.ONE_MONTH,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  const role = new Role(scope, 'ServiceRole', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
  const fn = new NodejsFunction(scope, 'ServiceFunction', {
    entry: lambdaEntry('service-function'),
    handler: 'handler',
    runtime: Runtime.NODEJS_24_X,
    memorySize: 256,
    timeout: Duration.seconds(10),
    role,
    logGroup,
    environment: {
      TABLE_NAME: props.table.tableName,
      IDENTITY_POOL_ID: props.identityPoolId,
      DEVELOPER_PROVIDER: props.developerProvider,
      PLAYER_POLICY: policies.names.player,
      DEVICE_POLICY: policies.names.device,
      TOOL_POLICIES: JSON.stringify(policies.names.tools),
      CHANNELS: JSON.stringify(config),
      OPENID_TOKEN_SECONDS: String(props.openIdTokenSeconds),
      ...(props.customAuthorizer === undefined
        ? {}
        : { TOKEN_SIGNING_SECRET: props.customAuthorizer.tokenSigningKey.secretArn }),
    },
    bundling: { ...LAMBDA_BUNDLING, ...props.bundling },
  });
  fn.node.addDependency(policies.player, policies.device);
  logGroup.grantWrite(role);
  return { fn, role };
}
