import type { MqttClient } from 'mqtt';
import { ERROR_CODES, WebcommError } from '../errors.js';
import type { FilterRequest } from '../inbound/subscriptions.js';

/** MQTT 3.1.1 SUBACK failure return code (MQTT 5 uses codes ≥ 0x80 too). */
const SUBACK_FAILURE = 0x80;

/** Outcome of one SUBSCRIBE round (one or more packets). */
export interface SubscribeOutcome {
  /** Filters the broker answered with a failure code in SUBACK. */
  readonly refused: readonly string[];
}

/**
 * Sends SUBSCRIBE for `filters` on `link` in packets of at most `batchSize` filters (IoT Core
 * disconnects a client that sends more than 8), resolving with the filters the broker refused.
 */
export async function sendSubscribe(link: MqttClient, filters: readonly FilterRequest[], batchSize: number): Promise<SubscribeOutcome> {
  const batches: FilterRequest[][] = [];
  for (let i = 0; i < filters.length; i += batchSize) batches.push(filters.slice(i, i + batchSize));
  const results = await Promise.all(batches.map((batch) => subscribeBatch(link, batch)));
  return { refused: results.flat() };
}

function subscribeBatch(link: MqttClient, batch: readonly FilterRequest[]): Promise<string[]> {
  const map: Record<string, { qos: 0 | 1 }> = {};
  for (const f of batch) map[f.filter] = { qos: f.qos };
  return new Promise((resolve, reject) => {
    link.subscribe(map, (error, granted) => {
      // MQTT.js reports any failure code in SUBACK as an error carrying the SUBACK packet.
      const suback = (error as { packet?: { granted?: unknown[] } } | null)?.packet?.granted;
      if (error && Array.isArray(suback)) {
        resolve(batch.filter((_f, i) => typeof suback[i] === 'number' && (suback[i] as number) >= SUBACK_FAILURE).map((f) => f.filter));
        return;
      }
      if (error) {
        reject(
          new WebcommError(ERROR_CODES.PROTOCOL, `SUBSCRIBE failed: ${error.message}`, { cause: error, topic: batch[0]?.filter }),
        );
        return;
      }
      resolve((granted ?? []).filter((g) => g.qos >= SUBACK_FAILURE).map((g) => g.topic));
    });
  });
}

/** Sends UNSUBSCRIBE for `filters`. */
export function sendUnsubscribe(link: MqttClient, filters: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    link.unsubscribe([...filters], (error) => {
      if (error) reject(new WebcommError(ERROR_CODES.PROTOCOL, `UNSUBSCRIBE failed: ${error.message}`, { cause: error }));
      else resolve();
    });
  });
}

/**
 * The error for a filter the broker refused: with a SUBACK failure code, or (`linkDrops` > 0)
 * by closing the link each time it was sent.
 */
export function subscribeRefused(filter: string, linkDrops = 0): WebcommError {
  const how =
    linkDrops > 0
      ? `The broker closed the connection each time this client subscribed to "${filter}" (${linkDrops} link drops): it refuses the subscription`
      : `The broker refused the subscription to "${filter}"`;
  return new WebcommError(
    ERROR_CODES.SUBSCRIBE_REFUSED,
    `${how}. Likely causes: the identity's policy does not allow it (on IoT Core, iot:Subscribe and iot:Receive), ` +
      'or the channel name or topic has a typo. The subscription was removed; the others stay.',
    { topic: filter },
  );
}
