/** Where the emulator writes its log lines. Lines never contain secrets. */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** Logs to stderr with a `[webcomm-emulator]` prefix. */
export const consoleLogger: Logger = {
  info: (message) => console.error(`[webcomm-emulator] ${message}`),
  warn: (message) => console.error(`[webcomm-emulator] warn: ${message}`),
  error: (message) => console.error(`[webcomm-emulator] error: ${message}`),
};

/** Discards every line. */
export const silentLogger: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
