/**
 * `@webcomm/core/testing`: helpers for testing code that uses webcomm, without sleeping.
 * Pass a {@link ManualClock} as the client's `clock` option and advance time yourself.
 * @packageDocumentation
 */
export { ManualClock } from './util/manual-clock.js';
