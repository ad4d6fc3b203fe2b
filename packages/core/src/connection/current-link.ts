import type { EventEmitter } from 'eventemitter3';
import type { WebcommError } from '../errors.js';
import type { WebcommClientEvents } from '../events.js';
import { MessageDelivery } from '../inbound/message-delivery.js';
import type { SubscriptionRegistry } from '../inbound/subscriptions.js';
import type { MqttLink } from '../mqtt/mqtt-engine.js';
import type { ResolvedOptions } from '../options.js';
import type { OpenLink } from './connect-attempt.js';
import { startLinkSession, type LinkSession } from './link-session.js';

/**
 * The one MQTT link the client uses now, and what lives exactly as long as it: its session
 * (listeners and dead-link watchdog) and the acknowledgements of what it delivers.
 */
export class CurrentLink {
  readonly #o: ResolvedOptions;
  readonly #delivery: MessageDelivery;
  #mqtt: MqttLink | undefined;
  #session: LinkSession | undefined;

  /** What a link receives goes to `registry`'s handlers (without redeliveries), and to `message` and `error` on `events`. */
  constructor(options: ResolvedOptions, registry: SubscriptionRegistry, events: EventEmitter<WebcommClientEvents>) {
    this.#o = options;
    this.#delivery = new MessageDelivery(options, registry, events);
  }

  /** The current link, if any. */
  get mqtt(): MqttLink | undefined {
    return this.#mqtt;
  }

  /** Makes `open` the current link: its messages go to delivery, its end to `onDown` (at most once). */
  start({ mqtt, endpoint, sessionPresent, held }: OpenLink, onDown: (error: WebcommError) => void): void {
    this.#mqtt = mqtt;
    this.#session = startLinkSession(
      mqtt,
      endpoint,
      this.#o,
      { onMessage: this.#delivery.linkStarted(mqtt, sessionPresent), onDown },
      held,
    );
  }

  /** Detaches the current link's session and returns the link (for the caller to end), if there was one. */
  end(): MqttLink | undefined {
    const mqtt = this.#mqtt;
    this.#mqtt = undefined;
    this.#session?.stop();
    this.#session = undefined;
    this.#delivery.linkStopped();
    return mqtt;
  }
}
