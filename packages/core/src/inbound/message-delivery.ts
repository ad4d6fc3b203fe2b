import type { EventEmitter } from 'eventemitter3';
import type { MqttLink } from '../mqtt/mqtt-engine.js';
import type { WebcommError } from '../errors.js';
import type { ReceivedMessage, WebcommClientEvents } from '../events.js';
import type { ResolvedOptions } from '../options.js';
import { AckConfirmer } from './ack-confirmer.js';
import { RedeliveryFilter } from './redelivery-filter.js';
import type { SubscriptionRegistry } from './subscriptions.js';

/**
 * The inbound flow from a link to the handlers: a received message passes the
 * {@link RedeliveryFilter} (a kept session's broker resends QoS 1 messages already delivered),
 * is emitted as `message`, then dispatched to every matching handler. Per link, an
 * {@link AckConfirmer} tells the filter when the broker has our PUBACKs.
 */
export class MessageDelivery {
  readonly #o: ResolvedOptions;
  readonly #registry: SubscriptionRegistry;
  readonly #events: EventEmitter<WebcommClientEvents>;
  readonly #redeliveries = new RedeliveryFilter();
  /** The link delivering now, and its confirmer once it got a QoS 1 message. */
  #link: MqttLink | undefined;
  #confirmer: AckConfirmer | undefined;
  /** Made once, not per message. */
  readonly #onError = (error: WebcommError): void => void this.#events.emit('error', error);

  constructor(options: ResolvedOptions, registry: SubscriptionRegistry, events: EventEmitter<WebcommClientEvents>) {
    this.#o = options;
    this.#registry = registry;
    this.#events = events;
  }

  /** A link got its CONNACK: returns the function that delivers what arrives on it. */
  linkStarted(mqtt: MqttLink, sessionPresent: boolean): (message: ReceivedMessage) => void {
    this.#redeliveries.linkStarted(sessionPresent);
    this.#link = mqtt;
    this.#confirmer = undefined;
    return (message) => {
      if (!this.#redeliveries.admit(message)) {
        this.#o.logger.debug('dropped a QoS 1 redelivery already delivered', { topic: message.topic });
        return;
      }
      // Made with the link's first QoS 1 delivery (a link that gets only QoS 0 never needs one),
      // and only for the current link, as a stopped confirmer ignored deliveries before.
      if (message.qos === 1 && this.#link === mqtt)
        (this.#confirmer ??= new AckConfirmer(mqtt, this.#o.clock, this.#redeliveries, this.#o.logger)).delivered();
      this.#events.emit('message', message);
      const handled = this.#registry.dispatch(message, this.#onError);
      // Still visible through the `message` event; e.g. a message racing an unsubscribe.
      if (handled === 0) this.#o.logger.debug('message matched no handler', { topic: message.topic });
    };
  }

  /** The link is gone: stop confirming on it. */
  linkStopped(): void {
    this.#confirmer?.stop();
    this.#confirmer = undefined;
    this.#link = undefined;
  }
}
