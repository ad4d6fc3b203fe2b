/**
 * Unknown option keys are refused, naming the key and the closest valid one. TypeScript's
 * excess-property check only catches a typo in an object literal written at the call; options
 * built elsewhere, spread from config files or written in JavaScript are silently ignored
 * (`publsh`, `keepAliveSeconds`), and the client then does something the user did not ask for.
 * Every options entry point of every package calls {@link assertKnownOptions}.
 */
import { ERROR_CODES, WebcommError } from '../errors.js';

/**
 * Declares the valid keys of an options interface once, checked by the compiler both ways:
 * a key missing from `keys` or one the interface lacks does not type-check.
 *
 * @example
 * ```ts
 * const KEYS = optionKeys<TcpTransportOptions>({ host: true, port: true, username: true, password: true });
 * ```
 */
export function optionKeys<T extends object>(keys: { readonly [K in keyof Required<T>]: true }): readonly string[] {
  return Object.keys(keys);
}

/**
 * A copy of `options` with only the own keys in `keys`: how an adapter hands the core its share
 * of options it has already checked (the core refuses keys it does not know).
 */
export function pickOptions<T extends object>(options: T, keys: readonly string[]): Partial<T> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) if (keys.includes(key)) out[key] = value;
  return out as Partial<T>;
}

/**
 * Edit distance between `a` and `b`: insertions, deletions, substitutions and swaps of two
 * neighbouring characters (optimal string alignment), ignoring case.
 */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  // rows[i][j]: distance between the first i characters of s and the first j of t.
  const rows: number[][] = Array.from({ length: s.length + 1 }, (_, i) => [i, ...Array<number>(t.length).fill(0)]);
  for (let j = 1; j <= t.length; j += 1) (rows[0] as number[])[j] = j;
  for (let i = 1; i <= s.length; i += 1) {
    const row = rows[i] as number[];
    const up = rows[i - 1] as number[];
    for (let j = 1; j <= t.length; j += 1) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      let best = Math.min((up[j] as number) + 1, (row[j - 1] as number) + 1, (up[j - 1] as number) + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1])
        best = Math.min(best, ((rows[i - 2] as number[])[j - 2] as number) + 1);
      row[j] = best;
    }
  }
  return (rows[s.length] as number[])[t.length] as number;
}

/**
 * The valid key `key` most likely stands for: the nearest by {@link editDistance} when at most
 * a third of its length differs (at least 2 edits allowed), else a valid key it is the start
 * of (`keepalive` → `keepaliveSeconds`), else `undefined`. Ties go to the first in `allowed`.
 */
export function closestOption(key: string, allowed: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  let prefixOf: string | undefined;
  const lower = key.toLowerCase();
  for (const candidate of allowed) {
    const distance = editDistance(key, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
    if (prefixOf === undefined && lower.length >= 3 && candidate.toLowerCase().startsWith(lower)) prefixOf = candidate;
  }
  if (best !== undefined && bestDistance <= Math.max(2, Math.floor(key.length / 3))) return best;
  return prefixOf;
}

/**
 * Throws `INVALID_OPTION` for the first own key of `options` that is not in `allowed`, naming
 * the function, the key (with `path`, for nested objects like `backoff`) and the closest valid
 * key ("did you mean `publish`?"), or listing the valid keys when none is close. Does nothing
 * for `undefined`, and for values that are not plain objects (the caller's type checks report those).
 *
 * @param where - the entry point, e.g. `"createNodeClient()"`.
 * @param path - prefix of nested options, e.g. `"backoff"`.
 */
export function assertKnownOptions(options: unknown, allowed: readonly string[], where: string, path?: string): void {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) return;
  for (const key in options) {
    if (!Object.hasOwn(options, key) || allowed.includes(key)) continue;
    const name = path === undefined ? key : `${path}.${key}`;
    const suggestion = closestOption(key, allowed);
    const hint =
      suggestion === undefined
        ? `valid options${path === undefined ? '' : ` of "${path}"`} are ${allowed.map((k) => `"${k}"`).join(', ')}.`
        : `did you mean "${path === undefined ? suggestion : `${path}.${suggestion}`}"?`;
    throw new WebcommError(ERROR_CODES.INVALID_OPTION, `${where}: unknown option "${name}"; ${hint}`);
  }
}
