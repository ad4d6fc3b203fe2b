import type { MqttLink } from './mqtt-engine.js';
import { ERROR_CODES, WebcommError } from '../errors.js';
import type { FilterRequest } from '../inbound/subscriptions.js';

/** SUBACK codes from here up refuse the filter (3.1.1 sends 0x80; MQTT 5 names a reason). */
const SUBACK_FAILURE = 0x80;

/** MQTT 5 SUBACK reasons worth naming in the error. */
const SUBACK_REASONS: Readonly<Record<number, string>> = { 0x87: 'not authorized', 0x97: 'quota exceeded' };

/** Outcome of one SUBSCRIBE round (one or more packets). */
export interface SubscribeOutcome {
  /** Filters the broker answered with a failure code in SUBACK. */
  readonly refused: readonly string[];
  /** The SUBACK reason code of each refused filter (0x80 on 3.1.1; MQTT 5 names the reason, e.g. 0x87). */
  readonly codes: ReadonlyMap<string, number>;
}

/**
 * Sends SUBSCRIBE for `filters` on `link` in packets of at most `batchSize` filters (IoT Core
 * disconnects a client that sends more than 8), resolving with the filters the broker refused.
 */
export async function sendSubscribe(
  link: MqttLink,
  filters: readonly FilterRequest[],
  batchSize: number,
): Promise<SubscribeOutcome> {
  const batches: FilterRequest[][] = [];
  for (let i = 0; i < filters.length; i += batchSize) batches.push(filters.slice(i, i + batchSize));
  const results = (await Promise.all(batches.map((batch) => subscribeBatch(link, batch)))).flat();
  return { refused: results.map((a) => a.filter), codes: new Map(results.map((a) => [a.filter, a.reasonCode])) };
}

async function subscribeBatch(
  link: MqttLink,
  batch: readonly FilterRequest[],
): Promise<{ filter: string; reasonCode: number }[]> {
  let answers;
  try {
    answers = await link.subscribe(batch);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new WebcommError(ERROR_CODES.PROTOCOL, `SUBSCRIBE failed: ${message}`, {
      cause: error,
      topic: batch[0]?.filter,
    });
  }
  return answers.filter((a) => a.reasonCode >= SUBACK_FAILURE);
}

/** Sends UNSUBSCRIBE for `filters`. */
export async function sendUnsubscribe(link: MqttLink, filters: readonly string[]): Promise<void> {
  try {
    await link.unsubscribe(filters);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new WebcommError(ERROR_CODES.PROTOCOL, `UNSUBSCRIBE failed: ${message}`, { cause: error });
  }
}

/**
 * The error for a filter the broker refused: with a SUBACK failure code, or (`linkDrops` > 0)
 * by closing the link each time it was sent.
 */
export function subscribeRefused(filter: string, linkDrops = 0, reasonCode?: number): WebcommError {
  const code =
    reasonCode === undefined
      ? ''
      : ` (SUBACK 0x${reasonCode.toString(16).toUpperCase()}${SUBACK_REASONS[reasonCode] === undefined ? '' : `: ${SUBACK_REASONS[reasonCode]}`})`;
  const how =
    linkDrops > 0
      ? `The broker closed the connection each time this client subscribed to "${filter}" (${linkDrops} link drops): it refuses the subscription`
      : `The broker refused the subscription to "${filter}"${code}`;
  return new WebcommError(
    ERROR_CODES.SUBSCRIBE_REFUSED,
    `${how}. Likely causes: the identity's policy does not allow it (on IoT Core, iot:Subscribe and iot:Receive), ` +
      'or the channel name or topic has a typo. The subscription was removed; the others stay.',
    { topic: filter },
  );
}
