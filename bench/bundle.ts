/**
 * Benchmark 7: browser bundle min+gz. Measured by `bench/bundle-size.ts` (written separately);
 * this runs it when present. It may export `bundleSize(sizes)` (or `run`, or a default
 * function) resolving with report entries; otherwise it is run as a script for its own output.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { forkTs } from './lib/broker-process.js';
import type { BenchEntry } from './lib/report.js';
import type { BenchSizes } from './lib/sizes.js';

const NAME = 'browser bundle min+gz';

const isEntries = (value: unknown): value is BenchEntry[] =>
  Array.isArray(value) &&
  value.every((e) => typeof e === 'object' && e !== null && typeof (e as { name?: unknown }).name === 'string');

export async function bundleSize(sizes: BenchSizes): Promise<BenchEntry[]> {
  const file = fileURLToPath(new URL('./bundle-size.ts', import.meta.url));
  if (!existsSync(file))
    return [{ name: NAME, notMeasured: 'needs bench/bundle-size.ts (written by the packaging helper)' }];
  const module = (await import(file)) as Record<string, unknown>;
  const fn = [module.bundleSize, module.run, module.default].find(
    (f): f is (s: BenchSizes) => unknown => typeof f === 'function',
  );
  if (fn !== undefined) {
    const entries = await fn(sizes);
    if (isEntries(entries)) return entries;
  }
  const code = await new Promise<number | null>((resolve) =>
    forkTs('bundle-size.ts', sizes.smoke ? ['--smoke'] : []).once('exit', resolve),
  );
  return [
    {
      name: NAME,
      notMeasured: `bench/bundle-size.ts ran (exit ${code}) but returns no report entries; export bundleSize(sizes) resolving with BenchResult[] to include it`,
    },
  ];
}
