/**
 * How deep a JSON text nests, found by one linear scan before parsing: `JSON.parse` accepts a
 * 60,000-deep array, and the next recursive walk over it (`JSON.stringify`, a validator) then
 * overflows the stack. Texts deeper than the limit are refused before any of that runs.
 */

/** Deepest nesting the service's JSON bodies may have (IoT policies and messages need far less). */
export const MAX_JSON_DEPTH = 64;

/** True when `text` opens more than `limit` arrays/objects inside one another (strings skipped). */
export function jsonDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return false;
}
