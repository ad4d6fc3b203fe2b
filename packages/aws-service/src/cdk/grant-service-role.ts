/**
 * The IAM grants of the service function's role. Every grant names its resources; the wildcards
 * that remain (APIs with no resource to name, resources made at run time) are acknowledged for
 * cdk-nag with the reason here.
 */
import { ArnFormat, Stack, Token, Validations } from 'aws-cdk-lib';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { Effect, PolicyStatement, type Role } from 'aws-cdk-lib/aws-iam';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { ChannelsConfig } from '@webcomm/service';

/** What the service role is granted access to. */
export interface ServiceGrants {
  readonly config: ChannelsConfig;
  readonly table: Table;
  readonly identityPoolId: string;
  /** `arn:{partition}:iot:{region}:{account}`. */
  readonly iotArn: string;
  /** The token signing key of the custom authorizer, if any. */
  readonly signingKey?: ISecret;
}

/** Grants the service function's `role` what the service calls, and acknowledges its wildcards. */
export function grantServiceRole(role: Role, grants: ServiceGrants): void {
  const { config, iotArn, signingKey } = grants;
  const stack = Stack.of(role);
  const allow = (actions: string[], resources: string[]): void => {
    role.addToPolicy(new PolicyStatement({ effect: Effect.ALLOW, actions, resources }));
  };
  // Resource types as AWS's Service Authorization Reference gives them per action (service-iam.test.ts
  // checks each statement against that table and evaluates every adapter call with iam-simulate).
  allow(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Scan'], [grants.table.tableArn]);
  allow(
    ['cognito-identity:GetOpenIdTokenForDeveloperIdentity', 'cognito-identity:LookupDeveloperIdentity'],
    [
      stack.formatArn({
        service: 'cognito-identity',
        resource: 'identitypool',
        resourceName: grants.identityPoolId,
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
  if (signingKey !== undefined) {
    // Read once per cold start to sign the tokens it issues; a name-only secret ARN ends in AWS's 6-character suffix.
    allow(['secretsmanager:GetSecretValue'], [signingKey.secretFullArn ?? `${signingKey.secretArn}-??????`]);
    signingKey.encryptionKey?.grantDecrypt(role);
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
    Validations.of(role).acknowledge({ id: `AwsSolutions::AwsSolutions-IAM5[Resource::${finding}]`, reason });
}
