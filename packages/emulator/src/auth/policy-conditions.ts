/**
 * IAM `Condition` blocks as IoT Core evaluates them: the operators IoT policies use, the
 * `…IfExists` suffix and the `ForAnyValue:` / `ForAllValues:` prefixes, over the connection's
 * context keys ({@link contextValue}), with policy variables substituted literally in the values.
 *
 * Three-valued: an operator or key the emulator does not evaluate gives `unknown`, which the
 * caller resolves fail-closed (an Allow does not apply, a Deny does). Operators are ANDed, as
 * are keys within one operator; a key's list of values is ORed (NOR for the negated operators).
 */
import { BlockList, isIP } from 'node:net';
import { escapeRegExp, globSource } from './policy-glob.js';
import type { PolicyVariables } from './policy-context.js';
import { contextValue, expandVariables } from './policy-context.js';

/** `true`/`false`, or `unknown` when an operator, key or value is beyond what the emulator evaluates. */
export type ConditionVerdict = boolean | 'unknown';

/** One parsed `"Operator": {"key": values}` entry. */
export interface Condition {
  readonly operator: string;
  readonly key: string;
  readonly values: readonly string[];
}

/** A policy value made into a test of one context value; `undefined` when it cannot be (unresolved variable). */
type Prepare = (policyValue: string, variables: PolicyVariables) => ((actual: string) => boolean) | undefined;

const literal = (value: string, variables: PolicyVariables): string | undefined =>
  expandVariables(value, variables, { text: (run) => run, value: (v) => v, unresolved: () => undefined });

const equals: Prepare = (value, variables) => {
  const wanted = literal(value, variables);
  return wanted === undefined ? undefined : (actual) => actual === wanted;
};
const equalsIgnoreCase: Prepare = (value, variables) => {
  const wanted = literal(value, variables)?.toLowerCase();
  return wanted === undefined ? undefined : (actual) => actual.toLowerCase() === wanted;
};
const like: Prepare = (value, variables) => {
  const source = expandVariables(value, variables, {
    text: globSource,
    value: escapeRegExp,
    unresolved: () => undefined,
  });
  if (source === undefined) return undefined;
  const pattern = new RegExp(`^${source}$`);
  return (actual) => pattern.test(actual);
};
const numeric =
  (compare: (actual: number, wanted: number) => boolean): Prepare =>
  (value, variables) => {
    const text = literal(value, variables);
    const wanted = text === undefined || text.trim() === '' ? Number.NaN : Number(text);
    if (Number.isNaN(wanted)) return undefined;
    return (actual) => actual.trim() !== '' && compare(Number(actual), wanted);
  };
const bool: Prepare = (value, variables) => {
  const wanted = literal(value, variables)?.toLowerCase();
  return wanted === 'true' || wanted === 'false' ? (actual) => actual.toLowerCase() === wanted : undefined;
};
const ipAddress: Prepare = (value, variables) => {
  const [address = '', bits] = (literal(value, variables) ?? '').split('/');
  const family = isIP(address) === 4 ? 'ipv4' : isIP(address) === 6 ? 'ipv6' : undefined;
  const prefix = bits === undefined ? (family === 'ipv4' ? 32 : 128) : Number(bits);
  if (family === undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > (family === 'ipv4' ? 32 : 128))
    return undefined;
  const block = new BlockList();
  block.addSubnet(address, prefix, family);
  return (actual) => {
    const version = isIP(actual);
    return version !== 0 && block.check(actual, version === 4 ? 'ipv4' : 'ipv6');
  };
};

/** Every operator evaluated; `negated` ones hold when no policy value matches. */
const OPERATORS: Readonly<Record<string, { readonly prepare: Prepare; readonly negated: boolean }>> = {
  StringEquals: { prepare: equals, negated: false },
  StringNotEquals: { prepare: equals, negated: true },
  StringEqualsIgnoreCase: { prepare: equalsIgnoreCase, negated: false },
  StringNotEqualsIgnoreCase: { prepare: equalsIgnoreCase, negated: true },
  StringLike: { prepare: like, negated: false },
  StringNotLike: { prepare: like, negated: true },
  ArnEquals: { prepare: like, negated: false },
  ArnLike: { prepare: like, negated: false },
  ArnNotEquals: { prepare: like, negated: true },
  ArnNotLike: { prepare: like, negated: true },
  NumericEquals: { prepare: numeric((a, b) => a === b), negated: false },
  NumericNotEquals: { prepare: numeric((a, b) => a === b), negated: true },
  NumericLessThan: { prepare: numeric((a, b) => a < b), negated: false },
  NumericLessThanEquals: { prepare: numeric((a, b) => a <= b), negated: false },
  NumericGreaterThan: { prepare: numeric((a, b) => a > b), negated: false },
  NumericGreaterThanEquals: { prepare: numeric((a, b) => a >= b), negated: false },
  Bool: { prepare: bool, negated: false },
  IpAddress: { prepare: ipAddress, negated: false },
  NotIpAddress: { prepare: ipAddress, negated: true },
};

const SET_PREFIX = /^(ForAnyValue|ForAllValues):/;

/** `Null`: `true` holds when the key is absent, `false` when present. */
function evaluateNull(condition: Condition, variables: PolicyVariables): ConditionVerdict {
  const actual = contextValue(condition.key, variables);
  if (actual === 'unknown') return 'unknown';
  const absent = actual === undefined || actual.length === 0;
  const wanted = condition.values.map((value) => value.toLowerCase());
  if (wanted.some((value) => value !== 'true' && value !== 'false')) return 'unknown';
  return wanted.some((value) => (value === 'true') === absent);
}

/** One condition entry on this connection. */
export function evaluateCondition(condition: Condition, variables: PolicyVariables): ConditionVerdict {
  if (condition.operator === 'Null') return evaluateNull(condition, variables);
  const set = SET_PREFIX.exec(condition.operator)?.[1];
  const unprefixed = condition.operator.slice(set === undefined ? 0 : set.length + 1);
  const ifExists = unprefixed.endsWith('IfExists');
  const name = ifExists ? unprefixed.slice(0, -'IfExists'.length) : unprefixed;
  const operator = Object.hasOwn(OPERATORS, name) ? OPERATORS[name] : undefined;
  if (operator === undefined) return 'unknown';
  const actual = contextValue(condition.key, variables);
  if (actual === 'unknown') return 'unknown';
  const tests = condition.values.map((value) => operator.prepare(value, variables));
  if (tests.some((test) => test === undefined)) return 'unknown';
  const matches = (value: string): boolean => tests.some((test) => test?.(value) === true);
  if (actual === undefined || actual.length === 0) {
    // IAM: an absent key satisfies ForAllValues and IfExists, fails ForAnyValue, and satisfies only negated operators.
    if (set === 'ForAllValues' || ifExists) return true;
    return set === 'ForAnyValue' ? false : operator.negated;
  }
  const hit = operator.negated ? (value: string) => !matches(value) : matches;
  return set === 'ForAllValues' ? actual.every(hit) : actual.some(hit);
}

/** All conditions of a statement: `false` if any is false, else `unknown` if any is unknown, else `true`. */
export function evaluateConditions(conditions: readonly Condition[], variables: PolicyVariables): ConditionVerdict {
  let verdict: ConditionVerdict = true;
  for (const condition of conditions) {
    const one = evaluateCondition(condition, variables);
    if (one === false) return false;
    if (one === 'unknown') verdict = 'unknown';
  }
  return verdict;
}

const isScalar = (value: unknown): value is string | number | boolean =>
  typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';

/**
 * A statement's `Condition` block as a list of entries.
 * @throws Error naming the problem when the block is not `{"Operator": {"key": value | [values]}}`.
 */
export function parseConditions(block: unknown): Condition[] {
  if (block === undefined) return [];
  const problem = 'Condition must be {"Operator": {"key": value or [values]}}';
  if (typeof block !== 'object' || block === null || Array.isArray(block)) throw new Error(problem);
  return Object.entries(block).flatMap(([operator, entries]) => {
    if (typeof entries !== 'object' || entries === null || Array.isArray(entries)) throw new Error(problem);
    return Object.entries(entries as Record<string, unknown>).map(([key, raw]): Condition => {
      const list: unknown[] = Array.isArray(raw) ? raw : [raw];
      if (list.length === 0 || !list.every(isScalar)) throw new Error(`${problem}: ${operator} ${key}`);
      return { operator, key, values: list.map(String) };
    });
  });
}
