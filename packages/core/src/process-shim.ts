/**
 * The smallest `process` MQTT.js's sources need in a browser: `nextTick` (MQTT.js's shared.js reads
 * `process?.nextTick` at load, which throws when `process` is undeclared; mqtt-packet calls
 * `process.nextTick` to uncork). Injected module-scoped by esbuild (`inject`), not set globally.
 */
export const process = {
  nextTick: (callback: (...args: unknown[]) => void, ...args: unknown[]): void =>
    queueMicrotask(() => callback(...args)),
  env: {},
  version: '',
  versions: {},
  browser: true,
};
