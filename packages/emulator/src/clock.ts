/**
 * The emulator's time: core's {@link Clock} shape, with one contract core does not make.
 * Core's `now()` only needs differences; the emulator's must be epoch milliseconds, because it
 * stamps presence events, signs and checks SigV4 dates and certificate validity with it. So this
 * is a thin adapter over core's types, not a second clock: any core `Clock` whose `now()` is
 * epoch time (core's `systemClock`, or a `ManualClock` started at `Date.now()`) fits.
 */
import type { Clock as CoreClock, TimerHandle } from '@webcomm/core';

/** Core's {@link CoreClock} whose `now()` is milliseconds since the epoch. */
export type Clock = CoreClock;

/** An opaque timer handle returned by {@link Clock.setTimeout} (core's `TimerHandle`). */
export type ClockTimer = TimerHandle;

/** The real clock. Timers are unref'd: they never keep the process alive on their own (core's do). */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms).unref(),
  clearTimeout: (timer) => clearTimeout(timer as ReturnType<typeof setTimeout>),
};
