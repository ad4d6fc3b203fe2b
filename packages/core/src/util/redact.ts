/** What replaces a secret. */
export const REDACTED = '[REDACTED]';

// Keys whose values are secret wherever they appear in logged fields.
const SECRET_KEY =
  /^(password|passwd|pass|secret|admintoken|secretaccesskey|secretkey|sessiontoken|securitytoken|token|servicetoken|accesstoken|idtoken|refreshtoken|authorization|signature|privatekey|privatekeypem|key|x-amz-security-token|x-amz-signature|x-amz-customauthorizer-signature|credentials)$/i;

// Secrets inside strings (URLs, headers, error messages).
const STRING_RULES: readonly [RegExp, string][] = [
  [/-----BEGIN ([A-Z ]*)PRIVATE KEY-----[\s\S]*?(-----END \1PRIVATE KEY-----|$)/g, `[REDACTED PRIVATE KEY]`],
  [/(X-Amz-(?:Security-Token|Signature|Credential)=)[^&\s"']*/gi, `$1${REDACTED}`],
  [/(x-amz-customauthorizer-signature[=:]\s*)[^&\s"']*/gi, `$1${REDACTED}`],
  [/((?:password|passwd|token|secret|signature)\s*[=:]\s*)[^&\s"',;]+/gi, `$1${REDACTED}`],
  [/(Bearer\s+)[A-Za-z0-9._~+/=-]+/g, `$1${REDACTED}`],
  [/(\/\/[^/:@\s]+:)[^@/\s]+@/g, `$1${REDACTED}@`],
];

/** Removes secrets from a string: presigned URL signatures and tokens, PEM private keys, passwords. */
export function redactString(text: string): string {
  let out = text;
  for (const [pattern, replacement] of STRING_RULES) out = out.replace(pattern, replacement);
  return out;
}

/**
 * A copy of `value` with every secret replaced by {@link REDACTED}: values under secret-looking
 * keys (password, token, signature, privateKey…), and secrets inside strings. Errors become
 * plain objects with redacted message and stack. Never mutates its input.
 */
export function redact(value: unknown, seen: WeakSet<object> = new WeakSet()): unknown {
  if (typeof value === 'string') return redactString(value);
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return '[Circular]';
  seen.add(value);
  if (value instanceof Uint8Array) return `[${value.byteLength} bytes]`;
  if (value instanceof Date) return new Date(value.getTime()); // no own keys: copying its entries would give {}
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return {
      name: value.name,
      message: redactString(value.message),
      ...(code === undefined ? {} : { code }),
      ...(value.stack === undefined ? {} : { stack: redactString(value.stack) }),
      ...(value.cause === undefined ? {} : { cause: redact(value.cause, seen) }),
    };
  }
  if (Array.isArray(value)) return value.map((item) => redact(item, seen));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] = SECRET_KEY.test(key) && item !== undefined && item !== null ? REDACTED : redact(item, seen);
  }
  return out;
}
