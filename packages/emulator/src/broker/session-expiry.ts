import type { Aedes } from 'aedes';
import type { Clock, ClockTimer } from '../clock.js';
import type { Logger } from '../logger.js';
import { cleanStoredSubscriptions } from './aedes-internals.js';

/** What {@link SessionExpiry} needs. */
export interface SessionExpiryDeps {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly sessionExpiryMs: number;
  /** Whether `clientId` is connected now (then its session has not expired). */
  readonly isLive: (clientId: string) => boolean;
  /** Called when a stored session ends, to drop what else the emulator keeps for it. */
  readonly onExpired?: (clientId: string) => void;
}

/**
 * Persistent sessions expire as on IoT Core: a client that left without a clean session keeps
 * its stored subscriptions for `sessionExpiryMs`; if it is not back by then they are dropped,
 * and its next CONNECT starts clean.
 */
export class SessionExpiry {
  readonly #deps: SessionExpiryDeps;
  readonly #timers = new Map<string, ClockTimer>();
  readonly #expired = new Set<string>();

  constructor(deps: SessionExpiryDeps) {
    this.#deps = deps;
  }

  /** A CONNECT from `clientId`: true (once) when its stored session expired, so it must start clean. */
  takeExpired(clientId: string): boolean {
    return this.#expired.delete(clientId);
  }

  /** `clientId` is connected again before its session expired. */
  resumed(clientId: string): void {
    const pending = this.#timers.get(clientId);
    if (pending !== undefined) this.#deps.clock.clearTimeout(pending);
    this.#timers.delete(clientId);
  }

  /** `clientId` left `broker` with a persistent session: expire it unless it comes back in time. */
  schedule(clientId: string, broker: Aedes | undefined): void {
    const timer = this.#deps.clock.setTimeout(() => {
      this.#timers.delete(clientId);
      if (this.#deps.isLive(clientId)) return;
      this.#expire(clientId, broker);
    }, this.#deps.sessionExpiryMs);
    this.#timers.set(clientId, timer);
  }

  /**
   * Ends `clientId`'s stored session now, whether or not it is due (DeleteConnection with
   * `cleanSession=true`): its next CONNECT starts clean, whatever it was still holding.
   */
  expireNow(clientId: string, broker: Aedes | undefined): void {
    this.resumed(clientId);
    this.#expire(clientId, broker);
  }

  #expire(clientId: string, broker: Aedes | undefined): void {
    this.#expired.add(clientId);
    this.#deps.onExpired?.(clientId);
    if (broker === undefined) return;
    cleanStoredSubscriptions(broker, clientId).catch((error: unknown) =>
      this.#deps.logger.warn(`session expiry of "${clientId}": ${(error as Error).message}`),
    );
  }

  /** Clears every timer (called on stop). */
  dispose(): void {
    for (const timer of this.#timers.values()) this.#deps.clock.clearTimeout(timer);
    this.#timers.clear();
  }
}
