import type { MqttClient } from 'mqtt';
import { ERROR_CODES, WebcommError } from './errors.js';
import type { FilterRequest } from './subscriptions.js';

/** MQTT 3.1.1 SUBACK failure return code (MQTT 5 uses codes ≥ 0x80 too). */
const SUBACK_FAILURE = 0x80;

/** Outcome of one SUBSCRIBE round (one or more packets; MQTT.js splits by `subscribeBatchSize`). */
export interface SubscribeOutcome {
  readonly refused: readonly string[];
}

/** Sends SUBSCRIBE for `filters` on `link`, resolving with the filters the broker refused. */
export function sendSubscribe(link: MqttClient, filters: readonly FilterRequest[]): Promise<SubscribeOutcome> {
  if (filters.length === 0) return Promise.resolve({ refused: [] });
  const map: Record<string, { qos: 0 | 1 }> = {};
  for (const f of filters) map[f.filter] = { qos: f.qos };
  return new Promise((resolve, reject) => {
    link.subscribe(map, (error, granted) => {
      if (error) {
        reject(
          new WebcommError(ERROR_CODES.PROTOCOL, `SUBSCRIBE failed: ${error.message}`, {
            cause: error,
            topic: filters[0]?.filter,
          }),
        );
        return;
      }
      resolve({ refused: (granted ?? []).filter((g) => g.qos >= SUBACK_FAILURE).map((g) => g.topic) });
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

/** The error for a filter the broker refused. */
export function subscribeRefused(filter: string): WebcommError {
  return new WebcommError(
    ERROR_CODES.SUBSCRIBE_REFUSED,
    `The broker refused the subscription to "${filter}"; check that this identity may subscribe to it.`,
    { topic: filter },
  );
}
