/**
 * IoT policy documents (custom authorizers' answers) evaluated as IoT Core does: `Action` /
 * `NotAction`, `Resource` / `NotResource` as IAM globs, policy variables substituted literally,
 * `Condition` blocks honoured. Deny wins; nothing is allowed unless granted.
 *
 * Fail closed: a variable, condition key or operator the emulator does not evaluate makes an
 * Allow statement not apply and a Deny statement apply.
 */
import type { AccessPolicy, IotAction } from './access-policy.js';
import type { ConditionVerdict } from './policy-conditions.js';
import { evaluateConditions, parseConditions } from './policy-conditions.js';
import type { PolicyVariables } from './policy-context.js';
import { expandVariables } from './policy-context.js';
import { ANY_RUN, escapeRegExp, globPattern, globSource } from './policy-glob.js';

export type { PolicyVariables } from './policy-context.js';

/** A pattern no text matches. */
const NOTHING = /(?!)/;

/**
 * A resource pattern as an anchored RegExp, with policy variables substituted *literally*: a
 * `*` or `?` in a client id is that character, never a glob, so no client id widens a grant.
 * A variable without a value here matches `nothing` (the pattern never matches) or `anything`.
 */
export function resourcePattern(
  resource: string,
  variables: PolicyVariables,
  unresolved: 'nothing' | 'anything' = 'nothing',
): RegExp {
  const source = expandVariables(resource, variables, {
    text: globSource,
    value: escapeRegExp,
    unresolved: () => (unresolved === 'anything' ? ANY_RUN : undefined),
  });
  return source === undefined ? NOTHING : new RegExp(`^${source}$`);
}

/** `Action` or `NotAction` (likewise resources): the patterns, and whether they list what is excluded. */
interface Patterns {
  readonly patterns: readonly RegExp[];
  readonly not: boolean;
}

interface Statement {
  readonly effect: 'Allow' | 'Deny';
  readonly actions: Patterns;
  readonly resources: Patterns;
  /** Conditions depend only on the connection, so they are decided once. */
  readonly conditions: ConditionVerdict;
}

function asList(value: unknown, field: string): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value as string[];
  throw new Error(`${field} must be a string or a list of strings`);
}

/** The one of `name` / `Not<name>` a statement has. */
function pick(statement: Record<string, unknown>, name: string): { list: string[]; not: boolean } {
  const plain = statement[name];
  const negated = statement[`Not${name}`];
  if ((plain === undefined) === (negated === undefined))
    throw new Error(`a statement needs exactly one of ${name} and Not${name}`);
  return plain === undefined
    ? { list: asList(negated, `Not${name}`), not: true }
    : { list: asList(plain, name), not: false };
}

const matches = (patterns: Patterns, text: string): boolean =>
  patterns.patterns.some((pattern) => pattern.test(text)) !== patterns.not;

const RESOURCE_KIND: Record<IotAction, string> = {
  'iot:Connect': 'client',
  'iot:Publish': 'topic',
  'iot:Receive': 'topic',
  'iot:Subscribe': 'topicfilter',
};

function parseStatement(raw: unknown, variables: PolicyVariables): Statement {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error('a statement must be an object');
  const statement = raw as Record<string, unknown>;
  if (statement.Effect !== 'Allow' && statement.Effect !== 'Deny') throw new Error('Effect must be Allow or Deny');
  if (statement.Principal !== undefined || statement.NotPrincipal !== undefined)
    throw new Error('IoT policies take no Principal or NotPrincipal');
  const effect = statement.Effect;
  const actions = pick(statement, 'Action');
  const resources = pick(statement, 'Resource');
  // Fail closed: an unresolved variable widens what a Deny covers and narrows what an Allow grants.
  const widen = (effect === 'Deny') !== resources.not;
  return {
    effect,
    // IAM action names are case-insensitive (`iot:publish` is `iot:Publish`).
    actions: { patterns: actions.list.map((action) => globPattern(action, true)), not: actions.not },
    resources: {
      patterns: resources.list.map((resource) => resourcePattern(resource, variables, widen ? 'anything' : 'nothing')),
      not: resources.not,
    },
    conditions: evaluateConditions(parseConditions(statement.Condition), variables),
  };
}

/** IoT policy documents (JSON strings, IoT Core's grammar) evaluated for one connection. */
export class DocumentPolicy implements AccessPolicy {
  readonly #statements: Statement[];
  readonly #region: string;
  readonly #account: string;

  /** @throws Error naming the document and the problem when a document is not a valid policy. */
  constructor(documents: readonly string[], variables: PolicyVariables) {
    this.#region = variables.region;
    this.#account = variables.account;
    this.#statements = documents.flatMap((text, index) => {
      try {
        const document = JSON.parse(text) as { Statement?: unknown };
        const list: unknown[] = Array.isArray(document.Statement) ? document.Statement : [document.Statement];
        return list.map((raw) => parseStatement(raw, variables));
      } catch (error) {
        throw new Error(`policy document ${index}: ${(error as Error).message}`, { cause: error });
      }
    });
  }

  evaluate(action: IotAction, target: string): 'allow' | 'deny' | 'none' {
    const arn = `arn:aws:iot:${this.#region}:${this.#account}:${RESOURCE_KIND[action]}/${target}`;
    let result: 'allow' | 'none' = 'none';
    for (const statement of this.#statements) {
      if (!matches(statement.actions, action) || !matches(statement.resources, arn)) continue;
      if (statement.effect === 'Deny') {
        if (statement.conditions !== false) return 'deny';
      } else if (statement.conditions === true) result = 'allow';
    }
    return result;
  }
}
