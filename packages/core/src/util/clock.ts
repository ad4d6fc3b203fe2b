/** An opaque handle returned by {@link Clock.setTimeout}. */
export type TimerHandle = unknown;

/**
 * Where the client reads time and schedules timers. Injected so tests drive time
 * explicitly (see {@link ManualClock}) instead of sleeping.
 */
export interface Clock {
  /** Milliseconds since an arbitrary origin; only differences matter. */
  now(): number;
  /** Runs `callback` once after `delayMs`. */
  setTimeout(callback: () => void, delayMs: number): TimerHandle;
  /** Cancels a timer; unknown or already-fired handles are ignored. */
  clearTimeout(handle: TimerHandle): void;
}

/** The real clock: `Date.now()` and the global timers. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, delayMs) => globalThis.setTimeout(callback, delayMs),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof globalThis.setTimeout>),
};

/**
 * A repeating timer in the `{ set, clear }` shape MQTT.js accepts as `timerVariant`,
 * built on a {@link Clock} so MQTT.js's keepalive follows the injected time too.
 */
export interface IntervalTimer {
  set(callback: () => void, intervalMs: number): number;
  clear(id: number): void;
}

/** Builds an {@link IntervalTimer} on top of `clock`'s one-shot timers. */
export function intervalTimerFrom(clock: Clock): IntervalTimer {
  const active = new Map<number, TimerHandle>();
  let nextId = 1;
  return {
    set(callback, intervalMs) {
      const id = nextId++;
      const arm = (): void => {
        active.set(
          id,
          clock.setTimeout(() => {
            if (!active.has(id)) return;
            arm();
            callback();
          }, intervalMs),
        );
      };
      arm();
      return id;
    },
    clear(id) {
      const handle = active.get(id);
      active.delete(id);
      if (handle !== undefined) clock.clearTimeout(handle);
    },
  };
}
