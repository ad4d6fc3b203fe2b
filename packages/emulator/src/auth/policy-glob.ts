/**
 * The one IAM glob of the emulator's policy evaluator: `*` is any run of characters, `?` exactly
 * one, everything else literal. Both span newlines, as in IAM: a RegExp `.` stops at `\n`, which
 * let a client id or topic holding a newline slip past a `Deny` on `topic/*`.
 */

/** `text` as RegExp source matching exactly itself. */
export const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Any run of characters, newlines included (no reliance on the `s` flag). */
export const ANY_RUN = '[\\s\\S]*';

/** An IAM glob as (unanchored) RegExp source. */
export function globSource(glob: string): string {
  return glob
    .split('*')
    .map((run) => run.split('?').map(escapeRegExp).join('[\\s\\S]'))
    .join(ANY_RUN);
}

/** An IAM glob as an anchored RegExp; `ignoreCase` for action names and `…IgnoreCase` operators. */
export function globPattern(glob: string, ignoreCase = false): RegExp {
  return new RegExp(`^${globSource(glob)}$`, ignoreCase ? 'i' : '');
}
