import type { Clock, TimerHandle } from '../util/clock.js';

/**
 * Declares a link dead when nothing was received for `deadAfterMs` (1.5 × keepalive), judged
 * by wall-clock time through the injected {@link Clock}: a timer is due exactly at
 * `lastReceived + deadAfterMs`, and on firing it re-reads the time, so a link that went
 * silent is reported at that deadline even after timers were delayed (sleeping laptop,
 * throttled background tab). Pings themselves are sent by MQTT.js's keepalive.
 */
export class DeadLinkWatchdog {
  readonly #clock: Clock;
  readonly #deadAfterMs: number;
  readonly #onDead: (silentForMs: number) => void;
  #lastReceived = 0;
  #timer: TimerHandle | undefined;
  #running = false;

  constructor(clock: Clock, deadAfterMs: number, onDead: (silentForMs: number) => void) {
    this.#clock = clock;
    this.#deadAfterMs = deadAfterMs;
    this.#onDead = onDead;
  }

  /** Starts watching; counts from now. */
  start(): void {
    this.#running = true;
    this.#lastReceived = this.#clock.now();
    this.#arm(this.#deadAfterMs);
  }

  /** Something arrived on the link. Cheap: moves a number, no timer churn. */
  touch(): void {
    this.#lastReceived = this.#clock.now();
  }

  /** Stops watching and clears the timer. */
  stop(): void {
    this.#running = false;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #arm(delayMs: number): void {
    this.#timer = this.#clock.setTimeout(() => this.#check(), Math.max(0, delayMs));
  }

  #check(): void {
    this.#timer = undefined;
    if (!this.#running) return;
    const silentFor = this.#clock.now() - this.#lastReceived;
    if (silentFor >= this.#deadAfterMs) {
      this.#running = false;
      this.#onDead(silentFor);
    } else {
      this.#arm(this.#deadAfterMs - silentFor);
    }
  }
}
