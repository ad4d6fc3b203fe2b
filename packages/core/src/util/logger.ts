import { redact, redactString } from './redact.js';

/** Log levels, most verbose first. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

/** Structured fields attached to a log line. */
export type LogFields = Readonly<Record<string, unknown>>;

/**
 * Where the client writes logs. Anything with these four methods works (`console`, pino,
 * winston via a small wrapper). The client redacts secrets before calling it.
 */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

const RANK: Readonly<Record<LogLevel, number>> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

const noop = (): void => undefined;

/** A logger that drops everything (the default). */
export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop };

/**
 * Wraps `sink` so that only lines at `level` or above reach it, and every message and
 * field passes through {@link redact} first: secrets never reach the sink.
 */
export function createLogger(sink: Logger, level: LogLevel): Logger {
  // Nothing reaches a silent sink: every client shares the one no-op logger (no closures each).
  if (sink === silentLogger || level === 'silent') return silentLogger;
  const make = (name: Exclude<LogLevel, 'silent'>): Logger[typeof name] =>
    RANK[name] < RANK[level]
      ? noop
      : (message: string, fields?: LogFields): void => {
          const clean = redactString(message);
          if (fields === undefined) sink[name](clean);
          else sink[name](clean, redact(fields) as LogFields);
        };
  return { debug: make('debug'), info: make('info'), warn: make('warn'), error: make('error') };
}
