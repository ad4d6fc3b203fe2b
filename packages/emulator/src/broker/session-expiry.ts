import type { Aedes } from 'aedes';
import type { Clock, ClockTimer } from '../clock.js';
import type { Logger } from '../logger.js';
import { cleanStoredSubscriptions, discardQueuedMessages } from './aedes-internals.js';

/** What {@link SessionExpiry} needs. */
export interface SessionExpiryDeps {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly sessionExpiryMs: number;
  /** Most sessions waiting for their client; beyond it a leaving session ends at once. */
  readonly maxPendingSessions: number;
  /** Whether `clientId` is connected now (then its session has not expired). */
  readonly isLive: (clientId: string) => boolean;
  /** Called when a stored session ends, to drop what else the emulator keeps for it. */
  readonly onExpired?: (clientId: string) => void;
}

/**
 * Persistent sessions expire as on IoT Core: a client that left without a clean session keeps
 * its stored subscriptions and queued QoS 1 messages for `sessionExpiryMs` (an MQTT 5 client: its
 * own, clamped, interval); if it is not back by then both are freed, and its next CONNECT starts
 * clean. At most `maxPendingSessions` wait at once, so memory stays bounded whatever clients do.
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

  /**
   * `clientId` left `broker` with a persistent session: expire it unless it comes back within
   * `afterMs` (default `sessionExpiryMs`), or at once when too many sessions already wait.
   */
  schedule(clientId: string, broker: Aedes | undefined, afterMs = this.#deps.sessionExpiryMs): void {
    this.resumed(clientId);
    if (this.#timers.size >= this.#deps.maxPendingSessions) {
      this.#deps.logger.warn(
        `session of "${clientId}" ended at once: ${this.#timers.size} persistent sessions already wait (limits.maxPendingSessions)`,
      );
      this.#expire(clientId, broker);
      return;
    }
    const timer = this.#deps.clock.setTimeout(
      () => {
        this.#timers.delete(clientId);
        if (this.#deps.isLive(clientId)) return;
        this.#expire(clientId, broker);
      },
      Math.min(afterMs, this.#deps.sessionExpiryMs),
    );
    this.#timers.set(clientId, timer);
  }

  /** Sessions waiting for their client now. */
  get pendingCount(): number {
    return this.#timers.size;
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
    // Until the store is wiped, a CONNECT from the client is made clean; after, nothing is left to find.
    this.#expired.add(clientId);
    this.#deps.onExpired?.(clientId);
    if (broker === undefined) return;
    Promise.all([cleanStoredSubscriptions(broker, clientId), discardQueuedMessages(broker, clientId)])
      .catch((error: unknown) => this.#deps.logger.warn(`session expiry of "${clientId}": ${(error as Error).message}`))
      .finally(() => this.#expired.delete(clientId));
  }

  /** Clears every timer (called on stop). */
  dispose(): void {
    for (const timer of this.#timers.values()) this.#deps.clock.clearTimeout(timer);
    this.#timers.clear();
  }
}
