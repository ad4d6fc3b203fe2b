import type { CloseSignal } from './close-signal.js';
import type { Clock } from './clock.js';
import { ERROR_CODES, WebcommError } from '../errors.js';

/** Per-call controls accepted by `connect`, `subscribe` and `publish`. */
export interface OperationOptions {
  /** Abort the operation; its promise rejects with `ABORTED`. */
  readonly signal?: AbortSignal;
  /** Override the client's default timeout for this call, in milliseconds. */
  readonly timeoutMs?: number;
}

/** The error an aborted signal stands for. */
export function abortError(signal: AbortSignal, what: string, topic?: string): WebcommError {
  const reason: unknown = signal.reason;
  if (reason instanceof WebcommError) return reason;
  return new WebcommError(ERROR_CODES.ABORTED, `${what} was aborted.`, { cause: reason, topic });
}

/**
 * Runs `operation` with a timeout (through `clock`) and any number of abort signals. The
 * operation receives one signal that fires on timeout or abort, so it can clean up; the
 * returned promise settles exactly once, and every timer and listener is removed after.
 */
export function withDeadline<T>(
  what: string,
  operation: (signal: AbortSignal) => Promise<T>,
  options: {
    clock: Clock;
    timeoutMs: number;
    signals: readonly (AbortSignal | undefined)[];
    closing?: CloseSignal<WebcommError>;
    topic?: string;
  },
): Promise<T> {
  const controller = new AbortController();
  const signals = options.signals.filter((s): s is AbortSignal => s !== undefined);
  const already = signals.find((s) => s.aborted);
  if (already !== undefined) return Promise.reject(abortError(already, what, options.topic));
  const closed = options.closing?.reason;
  if (closed !== undefined) return Promise.reject(closed.value);

  return new Promise<T>((resolve, reject) => {
    let done = false;
    const cleanups: (() => void)[] = [];
    const finish = (settle: () => void): void => {
      if (done) return;
      done = true;
      for (const cleanup of cleanups) cleanup();
      settle();
    };
    const fail = (error: WebcommError): void => {
      finish(() => reject(error));
      controller.abort(error);
    };
    const timer = options.clock.setTimeout(
      () =>
        fail(
          new WebcommError(ERROR_CODES.TIMEOUT, `${what} did not finish within ${options.timeoutMs} ms.`, {
            topic: options.topic,
          }),
        ),
      options.timeoutMs,
    );
    cleanups.push(() => options.clock.clearTimeout(timer));
    if (options.closing !== undefined) cleanups.push(options.closing.subscribe(fail));
    for (const signal of signals) {
      const onAbort = (): void => fail(abortError(signal, what, options.topic));
      signal.addEventListener('abort', onAbort, { once: true });
      cleanups.push(() => signal.removeEventListener('abort', onAbort));
    }
    operation(controller.signal).then(
      (value) => finish(() => resolve(value)),
      (error: unknown) => finish(() => reject(error)),
    );
  });
}
