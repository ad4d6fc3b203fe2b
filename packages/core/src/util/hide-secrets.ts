/**
 * Keeps secrets out of `console.log`, `util.inspect` and `JSON.stringify`. A registration, a set
 * of AWS credentials or loaded TLS material is a plain object users hold and print while
 * debugging; the private key and tokens in it must not reach a terminal or a log file.
 *
 * The hooks are non-enumerable: spreading or destructuring still copies every field (the
 * identity cache writes its files that way), while printing the object shows each secret as
 * `[REDACTED]`. Node looks the inspect hook up by `Symbol.for('nodejs.util.inspect.custom')`,
 * so this needs no Node built-in and works in browsers too (where it simply goes unused).
 */
import { redact } from './redact.js';

/** Node's `util.inspect.custom`, without importing `node:util`. */
export const INSPECT_CUSTOM: unique symbol = Symbol.for('nodejs.util.inspect.custom') as never;

/**
 * Gives `value` a `toJSON` and a Node inspect hook that show it with every secret-looking field
 * (`privateKeyPem`, `serviceToken`, `secretAccessKey`, `sessionToken`, `key`, `password`…)
 * replaced by `[REDACTED]`. Mutates and returns `value`; its data is untouched.
 */
export function hideSecrets<T extends object>(value: T): T {
  const shown = (): unknown => redact({ ...value });
  Object.defineProperties(value, {
    toJSON: { value: shown, enumerable: false, configurable: true, writable: true },
    [INSPECT_CUSTOM]: { value: shown, enumerable: false, configurable: true, writable: true },
  });
  return value;
}
