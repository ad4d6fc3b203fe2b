import type { MqttLink } from '../mqtt/mqtt-engine.js';
import type { Clock, TimerHandle } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import type { RedeliveryFilter } from './redelivery-filter.js';

/** How long after a QoS 1 delivery the confirming ping goes out: at most one ping a second. */
export const CONFIRM_DELAY_MS = 1_000;

/**
 * Proves to the {@link RedeliveryFilter} that the broker processed our PUBACKs: about a second
 * after QoS 1 deliveries it writes a PINGREQ (behind those PUBACKs on the same stream) and, on
 * the PINGRESP, tells the filter to forget what it covered. One ping in flight at a time; none
 * while only QoS 0 arrives. Listens for PINGRESP only while a ping is out.
 */
export class AckConfirmer {
  readonly #mqtt: MqttLink;
  readonly #clock: Clock;
  readonly #filter: RedeliveryFilter;
  readonly #logger: Logger;
  #timer: TimerHandle | undefined;
  #inFlight = false;
  #stopped = false;
  readonly #onPingresp = (): void => {
    if (!this.#inFlight) return;
    this.#inFlight = false;
    this.#mqtt.off('pingresp', this.#onPingresp);
    const forgotten = this.#filter.pingAnswered();
    this.#logger.debug('PINGRESP confirmed QoS 1 acknowledgements', { forgotten });
    if (this.#filter.unconfirmed > 0) this.delivered();
  };

  constructor(mqtt: MqttLink, clock: Clock, filter: RedeliveryFilter, logger: Logger) {
    this.#mqtt = mqtt;
    this.#logger = logger;
    this.#clock = clock;
    this.#filter = filter;
  }

  /** A QoS 1 message was delivered (its PUBACK follows at once). */
  delivered(): void {
    if (this.#stopped || this.#timer !== undefined || this.#inFlight) return;
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = undefined;
      if (this.#stopped || !this.#mqtt.connected) return;
      this.#inFlight = true;
      this.#mqtt.on('pingresp', this.#onPingresp);
      this.#filter.pingSent();
      this.#mqtt.ping();
    }, CONFIRM_DELAY_MS);
  }

  /** The link is going away: no more pings; what was not confirmed stays remembered. */
  stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#mqtt.off('pingresp', this.#onPingresp);
  }
}
