import type { MqttLink } from '../mqtt/mqtt-engine.js';
import type { WebcommError } from '../errors.js';
import { sendSubscribe, sendUnsubscribe, subscribeRefused, type SubscribeOutcome } from '../mqtt/mqtt-ops.js';
import type { ResolvedOptions } from '../options.js';
import { withDeadline } from '../util/deadline.js';
import { FilterOutcomes } from './filter-outcomes.js';
import { RefusalTracker, type CloseVerdict } from './refusal-tracker.js';
import type { FilterRequest, SubscriptionRegistry } from './subscriptions.js';

/**
 * Keeps the broker's subscriptions in step with the registry: sends SUBSCRIBE and UNSUBSCRIBE,
 * restores every filter on a new link, and tells a refused filter from a lost link. Brokers
 * that refuse by closing (IoT Core on MQTT 3.1.1) are handled by the {@link RefusalTracker};
 * `subscribe()` calls cut by a drop wait in {@link FilterOutcomes} for the filter's fate.
 */
export class SubscriptionSync {
  readonly #o: ResolvedOptions;
  readonly #registry: SubscriptionRegistry;
  /** The link that is current now: answers on an older one are not counted. */
  readonly #currentLink: () => MqttLink | undefined;
  readonly #refusals = new RefusalTracker();
  readonly #outcomes = new FilterOutcomes();

  constructor(options: ResolvedOptions, registry: SubscriptionRegistry, currentLink: () => MqttLink | undefined) {
    this.#o = options;
    this.#registry = registry;
    this.#currentLink = currentLink;
  }

  /** SUBSCRIBE on `link`, tracked so that a close before SUBACK is attributed to it. */
  async send(link: MqttLink, requests: readonly FilterRequest[]): Promise<SubscribeOutcome> {
    const filters = requests.map((r) => r.filter);
    this.#refusals.sent(filters, this.#o.clock.now());
    const outcome = await sendSubscribe(link, requests, this.#o.limits.maxFiltersPerSubscribe);
    if (this.#currentLink() === link) this.#refusals.answered(filters);
    return outcome;
  }

  /**
   * Re-sends every subscription on a new link, even when CONNACK says the session was kept: a
   * broker may have dropped subscriptions (IoT Core expires sessions), and re-subscribing is
   * idempotent. Filters a link closed on go last and one at a time (see RefusalTracker).
   */
  async restore(link: MqttLink, signal: AbortSignal, onRefused: (error: WebcommError) => void): Promise<void> {
    const filters = this.#registry.filters();
    const suspects = filters.filter((f) => this.#refusals.isSuspect(f.filter));
    const rounds = [filters.filter((f) => !this.#refusals.isSuspect(f.filter)), ...suspects.map((f) => [f])];
    for (const round of rounds) {
      if (round.length === 0) continue;
      const { refused, codes } = await withDeadline('Restoring subscriptions', () => this.send(link, round), {
        clock: this.#o.clock,
        timeoutMs: this.#o.subscribeTimeoutMs,
        signals: [signal],
      });
      for (const filter of refused) onRefused(this.refuse(filter, 0, codes.get(filter)));
      for (const { filter } of round) if (!refused.includes(filter)) this.#outcomes.restored(filter);
    }
  }

  /** Waits for the fate of `filter`, whose SUBSCRIBE a link drop cut, on later links. */
  outcome(filter: string, signal: AbortSignal): Promise<void> {
    return this.#outcomes.wait(filter, signal);
  }

  /** The broker refused `filter`: it leaves the registry, waiters learn it. Returns the error. */
  refuse(filter: string, linkDrops = 0, reasonCode?: number): WebcommError {
    const error = subscribeRefused(filter, linkDrops, reasonCode);
    this.#registry.removeFilter(filter);
    this.#refusals.forget(filter);
    this.#outcomes.refused(filter, error);
    this.#o.logger.warn('subscription refused', { filter, linkDrops });
    return error;
  }

  /** SUBSCRIBEs sent recently and still unanswered at `now`. */
  inFlight(now: number): number {
    return this.#refusals.recent(now);
  }

  /** A link closed while SUBSCRIBEs (or `publishesInFlight` QoS 1 publishes) waited: who is to blame. */
  linkClosed(now: number, publishesInFlight: number): CloseVerdict {
    return this.#refusals.linkClosed(now, publishesInFlight);
  }

  /** The link is gone: answers still to come belong to no link. */
  linkReplaced(): void {
    this.#refusals.linkReplaced();
  }

  /** UNSUBSCRIBE `filter` on `link` (none when offline); forgets its strikes once no handler is left on it. */
  async unsubscribe(
    filter: string,
    link: MqttLink | undefined,
    deadline: Parameters<typeof withDeadline>[2],
  ): Promise<void> {
    if (this.#registry.qosOf(filter) === undefined) this.#refusals.forget(filter);
    if (link === undefined) return;
    await withDeadline('Unsubscribing', () => sendUnsubscribe(link, [filter]), deadline);
  }
}
