/**
 * Benchmark `fleet-renewal`: the pure models of `fleet-renewal-model.ts` for N = 10^3 … 10^6
 * WEBSOCKET clients: registrations per second in steady state and the drain time after a 1-hour
 * outage, with Cognito's default 15-minute OpenID token (before) against the construct's 24 hours
 * (now), under the registration throttle of 5/s; then the channels a custom authorizer's answer
 * holds within IoT Core's limits.
 */
import type { BenchEntry } from './lib/report.js';
import type { BenchSizes } from './lib/sizes.js';
import { channelLimits, REGISTER_RATE_PER_S, renewalModel } from './fleet-renewal-model.js';

const BEFORE_S = 900;
const NOW_S = 86_400;

export async function fleetRenewal(sizes: BenchSizes): Promise<BenchEntry[]> {
  const entries: BenchEntry[] = [];
  for (const clients of sizes.herdModelClients) {
    const before = renewalModel({ clients, tokenLifetimeS: BEFORE_S });
    const now = renewalModel({ clients, tokenLifetimeS: NOW_S });
    entries.push({
      name: `fleet renewal: ${clients} clients, steady registrations per second (24 h token vs 15 min)`,
      unit: 'registrations/s',
      ours: now.steadyRegistrationsPerS,
      peerName: '15-minute token (Cognito default)',
      peer: before.steadyRegistrationsPerS,
      better: 'lower',
      targetValue: REGISTER_RATE_PER_S,
      details: {
        'renewal period (s), 24 h token': now.renewalPeriodS,
        'renewal period (s), 15 min token': before.renewalPeriodS,
        'throttle (registrations/s)': REGISTER_RATE_PER_S,
        'backlog after a 1 h outage, 24 h token': now.outageBacklog,
        'backlog after a 1 h outage, 15 min token': before.outageBacklog,
        's to drain it, 24 h token': now.outageDrainS,
        's to drain it, 15 min token': before.outageDrainS,
      },
    });
  }
  const limits = channelLimits();
  entries.push({
    name: 'custom authorizer policy: channels within IoT limits, 128-character client id (split vs one document)',
    unit: 'channels',
    ours: limits.split,
    peerName: 'one document of 2,048 characters',
    peer: limits.singleDocument,
    better: 'higher',
  });
  return entries;
}
