/**
 * The part of AWS IoT's rule SQL the emulator runs: `SELECT <items> FROM '<topic filter>'`, items
 * being `*`, `topic() AS name`, `topic(N) AS name` and `clientid() AS name`. Anything else (a
 * `WHERE`, other functions, field lists, nested objects) is refused with `WEBCOMM_INVALID_RULE`
 * naming the supported forms, rather than run with a meaning the cloud would not give it: a rule
 * that works here must work on IoT Core. Pure; keywords are case-insensitive as in IoT.
 */
import { ERROR_CODES, WebcommError } from '@webcomm/core';

/** One item of the SELECT list. */
export type SelectItem =
  | { readonly kind: 'all' }
  | { readonly kind: 'topic'; readonly as: string; readonly segment?: number }
  | { readonly kind: 'clientid'; readonly as: string };

/** A parsed rule statement. */
export interface ParsedRuleSql {
  /** The MQTT topic filter of `FROM`, wildcards live (`+`, `#`). */
  readonly filter: string;
  readonly select: readonly SelectItem[];
}

/** The forms the emulator runs, shown in every refusal. */
export const SUPPORTED_RULE_SQL =
  "SELECT * FROM 'a/+/b'; SELECT *, topic() AS t, topic(2) AS second, clientid() AS c FROM 'a/#' (items: *, topic(), topic(N), clientid(), each function with AS name)";

const STATEMENT = /^\s*SELECT\s+([\s\S]+?)\s+FROM\s+'([^']*)'\s*;?\s*$/i;
const FUNCTION_ITEM = /^(topic|clientid)\s*\(\s*(\d*)\s*\)\s+AS\s+([A-Za-z_][A-Za-z0-9_]*)$/i;
/** IoT's topic-filter rules: no empty filter, `#` last and alone in its level, `+` alone in its level. */
function filterProblem(filter: string): string | undefined {
  if (filter === '') return 'the FROM topic filter is empty';
  if (filter.startsWith('$aws/')) return undefined;
  const levels = filter.split('/');
  for (const [index, level] of levels.entries()) {
    if (level.includes('#') && (level !== '#' || index !== levels.length - 1))
      return `"#" must be a whole last level in "${filter}"`;
    if (level.includes('+') && level !== '+') return `"+" must be a whole level in "${filter}"`;
  }
  return undefined;
}

function refused(ruleName: string, problem: string): WebcommError {
  return new WebcommError(
    ERROR_CODES.INVALID_RULE,
    `startEmulator: rule "${ruleName}": ${problem}. Supported: ${SUPPORTED_RULE_SQL}.`,
    { fatal: true },
  );
}

/** Parses one rule's SQL; throws `WEBCOMM_INVALID_RULE` naming the problem and the supported forms. */
export function parseRuleSql(sql: unknown, ruleName: string): ParsedRuleSql {
  if (typeof sql !== 'string') throw refused(ruleName, 'sql must be a string');
  const statement = STATEMENT.exec(sql);
  if (statement === null) {
    const where = /'\s+WHERE\s/i.test(sql)
      ? 'WHERE is not supported (filter in the handler)'
      : `"${sql.slice(0, 120)}" is not SELECT <items> FROM '<topic filter>'`;
    throw refused(ruleName, where);
  }
  const [, list = '', filter = ''] = statement;
  const problem = filterProblem(filter);
  if (problem !== undefined) throw refused(ruleName, problem);
  const names = new Set<string>();
  const select = list.split(',').map((raw): SelectItem => {
    const item = raw.trim();
    if (item === '*') return { kind: 'all' };
    const call = FUNCTION_ITEM.exec(item);
    if (call === null)
      throw refused(
        ruleName,
        `select item "${item.slice(0, 60)}" is not *, topic() AS name, topic(N) AS name or clientid() AS name`,
      );
    const [, fn = '', arg = '', as = ''] = call;
    if (names.has(as)) throw refused(ruleName, `"${as}" is selected twice`);
    names.add(as);
    if (fn.toLowerCase() === 'clientid') {
      if (arg !== '') throw refused(ruleName, 'clientid() takes no argument');
      return { kind: 'clientid', as };
    }
    if (arg === '') return { kind: 'topic', as };
    const segment = Number(arg);
    if (segment < 1) throw refused(ruleName, 'topic(N) counts levels from 1');
    return { kind: 'topic', as, segment };
  });
  if (select.filter((item) => item.kind === 'all').length > 1) throw refused(ruleName, '"*" is selected twice');
  return { filter, select };
}

/**
 * What a rule hands its handler for one message, as IoT's SQL builds it: with `*`, the JSON
 * payload, the selected functions added as fields when it is an object; without `*`, an object of
 * the selected functions alone. `undefined` when `*` is selected and the payload is not UTF-8 JSON.
 */
export function selectMessage(
  parsed: ParsedRuleSql,
  message: { topic: string; clientId: string; payload: Uint8Array },
): unknown {
  const fields: Record<string, string | undefined> = {};
  for (const item of parsed.select) {
    if (item.kind === 'clientid') fields[item.as] = message.clientId;
    else if (item.kind === 'topic')
      fields[item.as] = item.segment === undefined ? message.topic : message.topic.split('/')[item.segment - 1];
  }
  if (!parsed.select.some((item) => item.kind === 'all')) return fields;
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(message.payload)) as unknown;
  } catch {
    return undefined;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  return { ...(value as Record<string, unknown>), ...fields };
}
