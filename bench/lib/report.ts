import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** One benchmark's outcome: our figure, the peer's measured in the same run, and their ratio. */
export interface BenchResult {
  /** Benchmark name, e.g. `"delivery rate, QoS 0, 64 B"`. */
  readonly name: string;
  /** Unit of both figures, e.g. `"msg/s"`, `"ms"`, `"KB"`. */
  readonly unit: string;
  readonly ours: number;
  /** What we are compared with, e.g. `"raw MQTT.js subscriber"`. */
  readonly peerName: string;
  readonly peer: number;
  /** Whether a higher figure is better (rates) or a lower one (latency, size, memory). */
  readonly better: 'higher' | 'lower';
  /** The target as a ratio ours/peer, e.g. `0.95` (≥) for rates or `1.1` (≤) for costs. */
  readonly targetRatio?: number;
  /** Extra figures worth keeping (percentiles, counts). */
  readonly details?: Record<string, number | string>;
}

/** ours / peer. */
export function ratioOf(result: BenchResult): number {
  return result.peer === 0 ? Number.NaN : result.ours / result.peer;
}

/** True when the target ratio is met (undefined when there is no target). */
export function targetMet(result: BenchResult): boolean | undefined {
  if (result.targetRatio === undefined) return undefined;
  const ratio = ratioOf(result);
  return result.better === 'higher' ? ratio >= result.targetRatio : ratio <= result.targetRatio;
}

const fmt = (value: number): string =>
  Math.abs(value) >= 100 ? value.toFixed(0) : Math.abs(value) >= 1 ? value.toFixed(2) : value.toPrecision(3);

/** Prints one line per result: ours, peer, ratio and whether the target is met. */
export function printResults(results: readonly BenchResult[]): void {
  for (const r of results) {
    const met = targetMet(r);
    const target =
      r.targetRatio === undefined ? '' : ` target ${r.better === 'higher' ? '≥' : '≤'} ${r.targetRatio}× ${met ? 'met' : 'MISSED'}`;
    console.log(
      `${r.name}: ours ${fmt(r.ours)} ${r.unit} | ${r.peerName} ${fmt(r.peer)} ${r.unit} | ratio ${fmt(ratioOf(r))}×${target}`,
    );
    if (r.details) console.log(`    ${Object.entries(r.details).map(([k, v]) => `${k}=${typeof v === 'number' ? fmt(v) : v}`).join(' ')}`);
  }
}

/** Writes `bench/results/latest.json` (or `smoke.json` for CI's tiny run). */
export function writeResults(results: readonly BenchResult[], file: 'latest.json' | 'smoke.json'): string {
  const dir = fileURLToPath(new URL('../results/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  const path = `${dir}${file}`;
  const body = {
    at: new Date().toISOString(),
    node: process.version,
    results: results.map((r) => ({ ...r, ratio: ratioOf(r), targetMet: targetMet(r) })),
  };
  writeFileSync(path, `${JSON.stringify(body, null, 2)}\n`);
  return path;
}

/** Percentile of a sorted array (nearest rank). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}
