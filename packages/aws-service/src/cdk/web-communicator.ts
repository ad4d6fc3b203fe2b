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
import { CfnOutput, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Construct } from 'constructs';
import { addCustomAuthorizer } from './add-custom-authorizer.js';
import { addHttpApi } from './add-http-api.js';
import { addIdentityPool } from './add-identity-pool.js';
import { addIotPolicies, type IotPolicyNames } from './add-iot-policies.js';
import { addServiceFunction } from './add-service-function.js';
import { addTopicRule } from './add-topic-rule.js';
import { grantServiceRole } from './grant-service-role.js';
import { validateWebCommunicatorProps } from './validate-web-communicator-props.js';
import type { WebCommunicatorProps } from './web-communicator-props.js';

export { AUTHORIZER_TOKEN_KEY } from './add-custom-authorizer.js';
export type { CustomAuthorizerProps, TopicRuleProps, WebCommunicatorProps } from './web-communicator-props.js';

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
  readonly policyNames: IotPolicyNames;

  constructor(scope: Construct, id: string, props: WebCommunicatorProps) {
    super(scope, id);
    const { config, openIdTokenSeconds } = validateWebCommunicatorProps(id, props);
    const stack = Stack.of(this);
    const iotArn = `arn:${stack.partition}:iot:${stack.region}:${stack.account}`;
    const prefix = `${config.project}-${config.deployment}`;

    this.table = new Table(this, 'Users', {
      partitionKey: { name: 'ClientID', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    const policies = addIotPolicies(this, config, iotArn, prefix);
    this.policyNames = policies.names;
    this.developerProvider = `webcomm.${config.project}.${config.deployment}`;
    const pool = addIdentityPool(this, config, iotArn, this.developerProvider);
    this.identityPoolId = pool.ref;

    const service = addServiceFunction(this, {
      config,
      table: this.table,
      identityPoolId: pool.ref,
      developerProvider: this.developerProvider,
      policies,
      openIdTokenSeconds,
      customAuthorizer: props.customAuthorizer,
      bundling: props.bundling,
    });
    this.serviceFunction = service.fn;
    grantServiceRole(service.role, {
      config,
      table: this.table,
      identityPoolId: pool.ref,
      iotArn,
      signingKey: props.customAuthorizer?.tokenSigningKey,
    });
    this.apiUrl = addHttpApi(this, this.serviceFunction, props);

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
      const authorizerName = addCustomAuthorizer(
        this,
        config,
        prefix,
        this.table,
        props.customAuthorizer,
        props.bundling,
      );
      output('AuthorizerName', authorizerName, 'The IoT custom authorizer clients name (x-amz-customauthorizer-name).');
    }
    for (const rule of props.rules ?? []) addTopicRule(this, rule);
  }
}
