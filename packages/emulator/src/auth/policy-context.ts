/**
 * What the policy evaluator knows about one connection: the values of IoT Core's condition keys
 * and policy variables. A key the emulator does not model is `unknown`, which the evaluator
 * treats fail-closed; a modelled key the connection lacks (no certificate, no thing) is absent,
 * which IAM's operators handle as they do on AWS.
 */
import { isIP } from 'node:net';

/** The thing a connection is attached to (certificate connections whose client id is a thing name). */
export interface ConnectionThing {
  readonly name: string;
  readonly typeName?: string;
  readonly attributes?: Readonly<Record<string, string>>;
  /** `iot:Connection.Thing.IsAttached`: the thing is attached to the connection's principal. */
  readonly isAttached: boolean;
}

/** The connection's values for policy variables and condition keys. */
export interface PolicyVariables {
  /** `iot:ClientId`. */
  readonly clientId: string;
  /** `cognito-identity.amazonaws.com:sub`. @default the client id */
  readonly cognitoSub?: string;
  readonly region: string;
  readonly account: string;
  /** `aws:SourceIp`; absent unless an IP address. */
  readonly sourceIp?: string;
  /** `iot:Connection.Thing.*`; absent unless the connection has a thing. */
  readonly thing?: ConnectionThing;
  /**
   * `iot:Certificate.*`, keyed by what follows the prefix (`SerialNumber`, `Subject.CommonName`,
   * ...); absent unless the connection presented a certificate.
   */
  readonly certificate?: Readonly<Record<string, string>>;
}

/** A key's value: `unknown` (not modelled: fail closed), `undefined` (absent), or its values. */
export type ContextValue = 'unknown' | undefined | readonly string[];

const one = (value: string | undefined): ContextValue => (value === undefined ? undefined : [value]);
/** A record's own string entry only: `constructor` must not answer from the prototype. */
const ownValue = (record: Readonly<Record<string, string>> | undefined, name: string): string | undefined =>
  record !== undefined && Object.hasOwn(record, name) ? record[name] : undefined;
/** `::ffff:10.0.0.1` (Node's view of an IPv4 peer on a dual-stack socket) is `10.0.0.1` to IAM. */
const plainIp = (address: string): string => address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');
const THING_ATTRIBUTE = 'iot:connection.thing.attributes[';
const CERTIFICATE = 'iot:certificate.';

/** The value of condition key or policy variable `key` (case-insensitive, as IAM) on this connection. */
export function contextValue(key: string, variables: PolicyVariables): ContextValue {
  const name = key.toLowerCase();
  const { thing, certificate } = variables;
  switch (name) {
    case 'iot:clientid':
      return [variables.clientId];
    case 'cognito-identity.amazonaws.com:sub':
      return [variables.cognitoSub ?? variables.clientId];
    case 'aws:sourceip':
      return variables.sourceIp !== undefined && isIP(variables.sourceIp) !== 0
        ? [plainIp(variables.sourceIp)]
        : undefined;
    case 'iot:connection.thing.thingname':
      return one(thing?.name);
    case 'iot:connection.thing.thingtypename':
      return one(thing?.typeName);
    case 'iot:connection.thing.isattached':
      return one(thing === undefined ? undefined : String(thing.isAttached));
  }
  // Attribute names keep their case: `Attributes[Color]` is not `Attributes[color]`.
  if (name.startsWith(THING_ATTRIBUTE) && name.endsWith(']'))
    return one(ownValue(thing?.attributes, key.slice(THING_ATTRIBUTE.length, -1)));
  if (name.startsWith(CERTIFICATE)) {
    if (certificate === undefined) return undefined;
    const field = key.slice(CERTIFICATE.length).toLowerCase();
    const found = Object.keys(certificate).find((candidate) => candidate.toLowerCase() === field);
    return one(found === undefined ? undefined : ownValue(certificate, found));
  }
  return 'unknown';
}

/** IAM's escapes for characters that would otherwise be glob or variable syntax. */
const ESCAPES: Readonly<Record<string, string>> = { '*': '*', '?': '?', $: '$' };
const VARIABLE = /\$\{([^}]*)\}/g;

/** How {@link expandVariables} renders each part of a text. */
export interface ExpansionParts {
  /** The text between variables. */
  text(run: string): string;
  /** A variable's value, which must stay literal (a `*` in a client id is a plain character). */
  value(value: string): string;
  /** What stands for a variable without a value; `undefined` makes the whole text unusable. */
  unresolved(): string | undefined;
}

/**
 * `text` with its policy variables (`${iot:ClientId}`, `${*}`, ...) substituted through `parts`;
 * `undefined` when a variable has no single value here and `parts.unresolved()` gives none.
 */
export function expandVariables(text: string, variables: PolicyVariables, parts: ExpansionParts): string | undefined {
  let out = '';
  let last = 0;
  for (const match of text.matchAll(VARIABLE)) {
    out += parts.text(text.slice(last, match.index));
    last = match.index + match[0].length;
    const name = match[1] ?? '';
    const escaped = ESCAPES[name];
    const value = escaped === undefined ? contextValue(name, variables) : [escaped];
    if (Array.isArray(value) && value.length === 1) {
      out += parts.value(value[0] as string);
      continue;
    }
    const stand = parts.unresolved();
    if (stand === undefined) return undefined;
    out += stand;
  }
  return out + parts.text(text.slice(last));
}
