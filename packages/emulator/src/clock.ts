/** Time and timers, injectable so tests never sleep. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  setTimeout(callback: () => void, ms: number): ClockTimer;
  clearTimeout(timer: ClockTimer): void;
}

/** An opaque timer handle returned by {@link Clock.setTimeout}. */
export type ClockTimer = { readonly __clockTimer?: never } | ReturnType<typeof setTimeout>;

/** The real clock. Timers are unref'd: they never keep the process alive on their own. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms).unref(),
  clearTimeout: (timer) => clearTimeout(timer as ReturnType<typeof setTimeout>),
};
