/**
 * The Cognito identity pool of a deployment: guests (unauthenticated role: broadcast channels only)
 * and developer-authenticated identities for registered clients, each role allowed the matching
 * IoT player policy.
 */
import { Validations } from 'aws-cdk-lib';
import { CfnIdentityPool, CfnIdentityPoolRoleAttachment } from 'aws-cdk-lib/aws-cognito';
import { FederatedPrincipal, PolicyDocument, Role } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import type { ChannelsConfig } from '@webcomm/service';
import { playerPolicy } from '../iot-policies.js';

/**
 * Adds the identity pool with `developerProvider` and its guest and player roles to `scope`;
 * `iotArn` is `arn:{partition}:iot:{region}:{account}`. Returns the pool.
 */
export function addIdentityPool(
  scope: Construct,
  config: ChannelsConfig,
  iotArn: string,
  developerProvider: string,
): CfnIdentityPool {
  const pool = new CfnIdentityPool(scope, 'IdentityPool', {
    allowUnauthenticatedIdentities: true,
    developerProviderName: developerProvider,
  });
  const identityRole = (kind: 'authenticated' | 'unauthenticated', document: ReturnType<typeof playerPolicy>): Role =>
    new Role(scope, kind === 'authenticated' ? 'PlayerRole' : 'GuestRole', {
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
  new CfnIdentityPoolRoleAttachment(scope, 'IdentityPoolRoles', {
    identityPoolId: pool.ref,
    roles: { unauthenticated: guestRole.roleArn, authenticated: playerRole.roleArn },
  });
  Validations.of(pool).acknowledge({
    id: 'AwsSolutions::AwsSolutions-COG7',
    reason:
      'Guests are part of the design: the unauthenticated role only connects as its own identity and receives broadcast channels (no publish, no private channel).',
  });
  return pool;
}
