/**
 * Benchmark `herd-model`: the pure herd model (`herd-model.ts`) for N = 10^3 … 10^6 clients after
 * a broker-wide drop with the default backoff, against IoT Core's default quota of 500 CONNECT/s
 * per account; then the first backoff step that keeps the largest fleet under the quota.
 * No sockets: the figures are the schedule core's own `ReconnectSchedule` produces.
 */
import { DEFAULT_BACKOFF } from '@webcomm/core';
import { firstStepUnderQuota, herdModel, type HerdModelResult } from './herd-model.js';
import type { BenchEntry } from './lib/report.js';
import type { BenchSizes } from './lib/sizes.js';

/** IoT Core's default CONNECT requests per second per account. */
export const IOT_CONNECT_QUOTA = 500;

const details = (r: HerdModelResult): Record<string, number> => ({
  clients: r.clients,
  'peak accepted per second': r.peakAcceptedPerSecond,
  's until 99 % back': r.secondsTo99,
  's until all back': r.secondsToAll,
  attempts: r.attempts,
  'THROTTLED refusals': r.throttled,
});

export async function herd(sizes: BenchSizes): Promise<BenchEntry[]> {
  const entries: BenchEntry[] = [];
  for (const clients of sizes.herdModelClients) {
    const r = herdModel({ clients, quotaPerSecond: IOT_CONNECT_QUOTA });
    entries.push({
      name: `herd model: ${clients} clients after a broker-wide drop, default backoff: peak CONNECTs per second`,
      unit: 'CONNECT/s',
      ours: r.peakAttemptsPerSecond,
      peerName: 'IoT Core default quota (per account)',
      peer: IOT_CONNECT_QUOTA,
      better: 'lower',
      details: {
        ...details(r),
        'first step (ms)': DEFAULT_BACKOFF.initialDelayMs,
        'throttled max delay (ms)': DEFAULT_BACKOFF.throttledMaxDelayMs,
      },
    });
  }
  const largest = Math.max(...sizes.herdModelClients);
  const safe = firstStepUnderQuota(largest, IOT_CONNECT_QUOTA);
  entries.push({
    name: `herd model: ${largest} clients, first step ${safe.initialDelayMs} ms (maxDelayMs the same): peak CONNECTs per second`,
    unit: 'CONNECT/s',
    ours: safe.result.peakAttemptsPerSecond,
    peerName: 'IoT Core default quota (per account)',
    peer: IOT_CONNECT_QUOTA,
    better: 'lower',
    targetValue: IOT_CONNECT_QUOTA,
    details: { ...details(safe.result), 'first step (ms)': safe.initialDelayMs },
  });
  return entries;
}
