/**
 * What a connection may do, as IoT Core decides it: policy documents (custom authorizers)
 * or the service's default filter policy. Deny wins; nothing is allowed unless granted.
 */
import { filterCovers, topicMatches } from '../broker/topic-match.js';

/** The IoT actions the broker checks. */
export type IotAction = 'iot:Connect' | 'iot:Publish' | 'iot:Subscribe' | 'iot:Receive';

/** Decides whether a connection may perform an action on a client id, topic or topic filter. */
export interface AccessPolicy {
  /** `allow`, `deny` (explicit) or `none` (not mentioned). */
  evaluate(action: IotAction, target: string): 'allow' | 'deny' | 'none';
}

/** Grants by MQTT filters: the default policy (receive on the client's channels). */
export class FilterPolicy implements AccessPolicy {
  constructor(private readonly grants: { readonly subscribe: readonly string[]; readonly publish: readonly string[] }) {}

  evaluate(action: IotAction, target: string): 'allow' | 'deny' | 'none' {
    switch (action) {
      case 'iot:Subscribe':
        return this.grants.subscribe.some((filter) => filterCovers(filter, target)) ? 'allow' : 'none';
      case 'iot:Receive':
        return this.grants.subscribe.some((filter) => topicMatches(filter, target)) ? 'allow' : 'none';
      case 'iot:Publish':
        return this.grants.publish.some((filter) => topicMatches(filter, target)) ? 'allow' : 'none';
      case 'iot:Connect':
        return 'none';
    }
  }
}

interface Statement {
  readonly effect: 'Allow' | 'Deny';
  readonly actions: readonly RegExp[];
  readonly resources: readonly RegExp[];
}

/** IAM-style glob (`*` any run, `?` one character) as an anchored RegExp. */
function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`);
}

function asList(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value as string[];
  throw new Error('Action and Resource must be a string or a list of strings');
}

const RESOURCE_KIND: Record<IotAction, string> = {
  'iot:Connect': 'client',
  'iot:Publish': 'topic',
  'iot:Receive': 'topic',
  'iot:Subscribe': 'topicfilter',
};

/** IoT policy documents (JSON strings, IoT Core's grammar) with `${iot:ClientId}` substituted. */
export class DocumentPolicy implements AccessPolicy {
  private readonly statements: Statement[];

  /** @throws Error naming the problem when a document is not a valid policy. */
  constructor(documents: readonly string[], variables: { clientId: string; region: string; account: string }) {
    this.region = variables.region;
    this.account = variables.account;
    this.statements = documents.flatMap((text, index) => {
      const document = JSON.parse(text) as { Statement?: unknown };
      const list = Array.isArray(document.Statement) ? document.Statement : [document.Statement];
      return list.map((raw: unknown): Statement => {
        const statement = raw as { Effect?: unknown; Action?: unknown; Resource?: unknown };
        if (statement.Effect !== 'Allow' && statement.Effect !== 'Deny') throw new Error(`policy document ${index}: Effect must be Allow or Deny`);
        const substitute = (resource: string): string =>
          resource.replaceAll('${iot:ClientId}', variables.clientId).replaceAll('${cognito-identity.amazonaws.com:sub}', variables.clientId);
        return {
          effect: statement.Effect,
          actions: asList(statement.Action).map(globToRegExp),
          resources: asList(statement.Resource).map((resource) => globToRegExp(substitute(resource))),
        };
      });
    });
  }

  private readonly region: string;
  private readonly account: string;

  evaluate(action: IotAction, target: string): 'allow' | 'deny' | 'none' {
    const arn = `arn:aws:iot:${this.region}:${this.account}:${RESOURCE_KIND[action]}/${target}`;
    let result: 'allow' | 'none' = 'none';
    for (const statement of this.statements) {
      if (!statement.actions.some((pattern) => pattern.test(action))) continue;
      if (!statement.resources.some((pattern) => pattern.test(arn))) continue;
      if (statement.effect === 'Deny') return 'deny';
      result = 'allow';
    }
    return result;
  }
}

/** Allowed when some policy allows and none denies. */
export function isAllowed(policies: readonly AccessPolicy[], action: IotAction, target: string): boolean {
  let allowed = false;
  for (const policy of policies) {
    const verdict = policy.evaluate(action, target);
    if (verdict === 'deny') return false;
    if (verdict === 'allow') allowed = true;
  }
  return allowed;
}
