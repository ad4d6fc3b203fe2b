/**
 * `pnpm bench`: runs every benchmark against its peer, prints ours / peer / ratio / target,
 * writes `bench/results/latest.json` and the SVG charts. `pnpm bench --smoke` (or
 * `BENCH_SMOKE=1`) runs tiny sizes for CI and writes `bench/results/smoke.json`; no figure is
 * a pass/fail. `--only <word>` runs the benchmarks whose key contains the word and replaces only
 * their entries in the results file.
 */
import { bundleSize } from './bundle.js';
import { deliveryRate } from './delivery-rate.js';
import { dispatch } from './dispatch.js';
import { emulatorFanout } from './fanout.js';
import { fleetRenewal } from './fleet-renewal.js';
import { herd } from './herd.js';
import { idleMemory } from './idle-memory.js';
import { latency } from './latency.js';
import { reconnectHerd, resubscribeTime } from './reconnect.js';
import { repeatedRestarts } from './restarts.js';
import { printResults, writeResults, type BenchEntry } from './lib/report.js';
import { benchSizes, isSmoke, type BenchSizes } from './lib/sizes.js';
import { wsRate } from './ws-rate.js';

/** Every benchmark, by key, in the order. */
export const BENCHMARKS: readonly (readonly [string, (sizes: BenchSizes) => Promise<BenchEntry[]>])[] = [
  ['delivery-rate', deliveryRate],
  ['dispatch', dispatch],
  ['latency', latency],
  ['ws-rate', wsRate],
  ['resubscribe', resubscribeTime],
  ['reconnect-herd', reconnectHerd],
  ['herd-model', herd],
  ['fleet-renewal', fleetRenewal],
  ['restarts', repeatedRestarts],
  ['bundle-size', bundleSize],
  ['fanout', emulatorFanout],
  ['idle-memory', idleMemory],
];

const smoke = isSmoke();
const sizes = benchSizes(smoke);
const onlyIndex = process.argv.indexOf('--only');
const only = onlyIndex === -1 ? undefined : process.argv[onlyIndex + 1];
const entries: BenchEntry[] = [];
for (const [key, run] of BENCHMARKS) {
  if (only !== undefined && !key.includes(only)) continue;
  console.log(`\n▶ ${key}${smoke ? ' (smoke)' : ''}`);
  const started = performance.now();
  let produced: BenchEntry[];
  try {
    produced = await run(sizes);
  } catch (error) {
    // A crashed benchmark is reported as such (and fails the run), never as a figure.
    produced = [{ name: key, notMeasured: `failed: ${(error as Error).stack ?? String(error)}` }];
    process.exitCode = 1;
  }
  printResults(produced);
  console.log(`  (${((performance.now() - started) / 1000).toFixed(1)} s)`);
  entries.push(...produced.map((entry) => ({ ...entry, benchmark: key })));
}
const path = writeResults(entries, smoke ? 'smoke.json' : 'latest.json', only !== undefined);
console.log(`\nwrote ${path}`);
