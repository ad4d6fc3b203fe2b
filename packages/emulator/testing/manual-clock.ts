/**
 * Core's ManualClock, started at the current epoch time as the emulator's clock must be (see
 * clock.ts). Core's `advance` also fires timers scheduled by a firing callback inside the window,
 * which the emulator's former copy skipped.
 */
import { ManualClock as CoreManualClock } from '@webcomm/core/testing';

/** Deterministic time for emulator tests: epoch-based, moved only by {@link CoreManualClock.advance}. */
export class ManualClock extends CoreManualClock {
  constructor(start = Date.now()) {
    super(start);
  }
}
