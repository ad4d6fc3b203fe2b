/**
 * A one-line description of any thrown value, for an error message. User code may throw
 * anything: `null`, a string, a number, `Object.create(null)` (no `toString`, so `String()` of
 * it throws), or an object whose `message` getter throws. Never throws itself.
 */
export function describeThrown(value: unknown): string {
  try {
    if (value instanceof Error) return value.message === '' ? value.name : value.message;
    if (typeof value === 'string') return value;
    if (value === null || typeof value !== 'object') return String(value);
    const message = (value as { message?: unknown }).message;
    if (typeof message === 'string') return message;
    const json = JSON.stringify(value);
    return json === undefined ? Object.prototype.toString.call(value) : json.slice(0, 200);
  } catch {
    return Object.prototype.toString.call(value);
  }
}
