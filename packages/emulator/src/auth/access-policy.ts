/**
 * What a connection may do, as IoT Core decides it: policy documents (custom authorizers)
 * or the service's default filter policy. Deny wins; nothing is allowed unless granted.
 */
import { TopicTrie } from '@webcomm/core/internal';
import { filterCovers } from '../broker/filter-covers.js';

/** The IoT actions the broker checks. */
export type IotAction = 'iot:Connect' | 'iot:Publish' | 'iot:Subscribe' | 'iot:Receive';

/** Decides whether a connection may perform an action on a client id, topic or topic filter. */
export interface AccessPolicy {
  /** `allow`, `deny` (explicit) or `none` (not mentioned). */
  evaluate(action: IotAction, target: string): 'allow' | 'deny' | 'none';
}

/** What the default policy grants one connection. */
export interface FilterGrants {
  /**
   * Topics granted exactly, for subscribe and receive. `+` and `#` in them are plain characters:
   * they may hold a client id, and a client id must never widen a grant.
   */
  readonly topics: readonly string[];
  /** MQTT filters with live wildcards, from configuration only (never built from a client id). @default [] */
  readonly filters?: readonly string[];
  /** Topics the connection may publish on, exactly. */
  readonly publish: readonly string[];
}

/** The service's default policy: exact topics (the client's channels) plus configured filters. */
export class FilterPolicy implements AccessPolicy {
  readonly #topics: ReadonlySet<string>;
  readonly #filters: readonly string[];
  /** The same filters for receive checks, matched as IoT Core does (`a/#` does not match `a`). */
  readonly #receive = new TopicTrie<true>({ hashMatchesParent: false });
  readonly #publish: ReadonlySet<string>;

  constructor(grants: FilterGrants) {
    this.#topics = new Set(grants.topics);
    this.#filters = grants.filters ?? [];
    for (const filter of this.#filters) this.#receive.add(filter, true);
    this.#publish = new Set(grants.publish);
  }

  evaluate(action: IotAction, target: string): 'allow' | 'deny' | 'none' {
    switch (action) {
      case 'iot:Subscribe':
        // A granted topic covers only the identical filter: as in IoT Core, where `+`/`#` in a policy resource are literal.
        return this.#topics.has(target) || this.#filters.some((filter) => filterCovers(filter, target))
          ? 'allow'
          : 'none';
      case 'iot:Receive':
        return this.#topics.has(target) || this.#receive.match(target).length > 0 ? 'allow' : 'none';
      case 'iot:Publish':
        return this.#publish.has(target) ? 'allow' : 'none';
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

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** IAM-style glob (`*` any run, `?` one character) as RegExp source. */
const globSource = (glob: string): string =>
  glob
    .split('*')
    .map((run) => run.split('?').map(escapeRegExp).join('.'))
    .join('.*');

/** Policy variables a resource may name, and the value each stands for on this connection. */
export interface PolicyVariables {
  readonly clientId: string;
  /** `${cognito-identity.amazonaws.com:sub}`. @default the client id */
  readonly cognitoSub?: string;
  readonly region: string;
  readonly account: string;
}

const VARIABLE = /\$\{(iot:ClientId|cognito-identity\.amazonaws\.com:sub)\}/g;

/**
 * A resource pattern as an anchored RegExp, with policy variables substituted *literally*: a
 * `*` or `?` in a client id is that character, never a glob, so no client id widens a grant.
 */
export function resourcePattern(resource: string, variables: PolicyVariables): RegExp {
  let source = '';
  let last = 0;
  for (const match of resource.matchAll(VARIABLE)) {
    source += globSource(resource.slice(last, match.index));
    source += escapeRegExp(
      match[1] === 'iot:ClientId' ? variables.clientId : (variables.cognitoSub ?? variables.clientId),
    );
    last = match.index + match[0].length;
  }
  return new RegExp(`^${source}${globSource(resource.slice(last))}$`);
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

/** IoT policy documents (JSON strings, IoT Core's grammar) with their policy variables substituted literally. */
export class DocumentPolicy implements AccessPolicy {
  readonly #statements: Statement[];

  /** @throws Error naming the problem when a document is not a valid policy. */
  constructor(documents: readonly string[], variables: PolicyVariables) {
    this.#region = variables.region;
    this.#account = variables.account;
    this.#statements = documents.flatMap((text, index) => {
      const document = JSON.parse(text) as { Statement?: unknown };
      const list = Array.isArray(document.Statement) ? document.Statement : [document.Statement];
      return list.map((raw: unknown): Statement => {
        const statement = raw as { Effect?: unknown; Action?: unknown; Resource?: unknown };
        if (statement.Effect !== 'Allow' && statement.Effect !== 'Deny')
          throw new Error(`policy document ${index}: Effect must be Allow or Deny`);
        return {
          effect: statement.Effect,
          actions: asList(statement.Action).map((action) => new RegExp(`^${globSource(action)}$`)),
          resources: asList(statement.Resource).map((resource) => resourcePattern(resource, variables)),
        };
      });
    });
  }

  readonly #region: string;
  readonly #account: string;

  evaluate(action: IotAction, target: string): 'allow' | 'deny' | 'none' {
    const arn = `arn:aws:iot:${this.#region}:${this.#account}:${RESOURCE_KIND[action]}/${target}`;
    let result: 'allow' | 'none' = 'none';
    for (const statement of this.#statements) {
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
