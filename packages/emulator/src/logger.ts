import type { Logger as CoreLogger } from '@webcomm/core';

/**
 * Where the emulator writes its log lines: core's {@link CoreLogger} without `debug` (the emulator
 * logs decisions, not traffic), so a client's logger can be handed to the emulator as is.
 * Lines never contain secrets.
 */
export type Logger = Pick<CoreLogger, 'info' | 'warn' | 'error'>;

/** Logs to stderr with a `[webcomm-emulator]` prefix. */
export const consoleLogger: Logger = {
  info: (message) => console.error(`[webcomm-emulator] ${message}`),
  warn: (message) => console.error(`[webcomm-emulator] warn: ${message}`),
  error: (message) => console.error(`[webcomm-emulator] error: ${message}`),
};

/** Discards every line. */
export const silentLogger: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

// C0 and C1 controls, DEL, and the Unicode line and paragraph separators.
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** `text` with every control character written as an escape (`\n`, `\u001b`), so one line stays one line. */
export function escapeControlCharacters(text: string): string {
  return text.replace(CONTROL, (c) => NAMED[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * A logger whose lines cannot be forged: client ids, paths and headers reach log lines, and a
 * newline in one would start a fake line. Every line goes through {@link escapeControlCharacters}.
 */
export function lineSafeLogger(logger: Logger): Logger {
  return {
    info: (message) => logger.info(escapeControlCharacters(message)),
    warn: (message) => logger.warn(escapeControlCharacters(message)),
    error: (message) => logger.error(escapeControlCharacters(message)),
  };
}
