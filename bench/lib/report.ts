import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
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
  /** The target as an absolute figure in `unit` (≥ or ≤ by `better`), e.g. p99.9 ≤ 6 ms. */
  readonly targetValue?: number;
  /** Extra figures worth keeping (percentiles, counts). */
  readonly details?: Record<string, number | string>;
  /** Path of a chart drawn from this result's data, relative to the repository root. */
  readonly chart?: string;
  /** Key of the benchmark that produced it (set by `bench/run.ts`). */
  readonly benchmark?: string;
}

/** A benchmark that could not run in this checkout, and what it needs. Never a made-up figure. */
export interface NotMeasured {
  readonly name: string;
  /** e.g. `"needs @webcomm/emulator (branch emu)"`. */
  readonly notMeasured: string;
  /** Figures that could be measured anyway (e.g. the peer alone). */
  readonly details?: Record<string, number | string>;
  /** Key of the benchmark that produced it (set by `bench/run.ts`). */
  readonly benchmark?: string;
}

/** What a benchmark reports. */
export type BenchEntry = BenchResult | NotMeasured;

export const isMeasured = (entry: BenchEntry): entry is BenchResult => !('notMeasured' in entry);

/** ours / peer. */
export function ratioOf(result: BenchResult): number {
  return result.peer === 0 ? Number.NaN : result.ours / result.peer;
}

/** True when every target given is met (undefined when there is none). */
export function targetMet(result: BenchResult): boolean | undefined {
  if (result.targetRatio === undefined && result.targetValue === undefined) return undefined;
  const ok = (value: number, target: number | undefined): boolean =>
    target === undefined || (result.better === 'higher' ? value >= target : value <= target);
  return ok(ratioOf(result), result.targetRatio) && ok(result.ours, result.targetValue);
}

const fmt = (value: number): string =>
  !Number.isFinite(value)
    ? String(value)
    : Math.abs(value) >= 100
      ? value.toFixed(0)
      : Math.abs(value) >= 1
        ? value.toFixed(2)
        : value.toPrecision(3);

function targetText(r: BenchResult): string {
  const op = r.better === 'higher' ? '≥' : '≤';
  const parts: string[] = [];
  if (r.targetRatio !== undefined) parts.push(`${op} ${r.targetRatio}×`);
  if (r.targetValue !== undefined) parts.push(`${op} ${fmt(r.targetValue)} ${r.unit}`);
  if (parts.length === 0) return '';
  return ` | target ${parts.join(' and ')} ${targetMet(r) ? 'met' : 'MISSED'}`;
}

/** Prints one line per result: ours, peer, ratio and whether the target is met. */
export function printResults(entries: readonly BenchEntry[]): void {
  for (const r of entries) {
    if (!isMeasured(r)) {
      console.log(`${r.name}: not measured: ${r.notMeasured}`);
    } else {
      console.log(
        `${r.name}: ours ${fmt(r.ours)} ${r.unit} | ${r.peerName} ${fmt(r.peer)} ${r.unit} | ratio ${fmt(ratioOf(r))}×${targetText(r)}`,
      );
    }
    if (r.details)
      console.log(
        `    ${Object.entries(r.details)
          .map(([k, v]) => `${k}=${typeof v === 'number' ? fmt(v) : v}`)
          .join(' ')}`,
      );
    if ('chart' in r && r.chart !== undefined) console.log(`    chart: ${r.chart}`);
  }
}

/** The results directory, `bench/results/`. */
export const RESULTS_DIR = fileURLToPath(new URL('../results/', import.meta.url));

/**
 * Writes `bench/results/latest.json` (or `smoke.json` for CI's tiny run). With `merge`, the
 * file's entries from benchmarks that did not run this time are kept (`pnpm bench --only …`).
 */
export function writeResults(
  entries: readonly BenchEntry[],
  file: 'latest.json' | 'smoke.json',
  merge = false,
): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const path = `${RESULTS_DIR}${file}`;
  const ran = new Set(entries.map((e) => e.benchmark));
  const kept: unknown[] =
    merge && existsSync(path)
      ? (JSON.parse(readFileSync(path, 'utf8')) as { results: BenchEntry[] }).results.filter(
          (e) => !ran.has(e.benchmark),
        )
      : [];
  const body = {
    at: new Date().toISOString(),
    node: process.version,
    results: [
      ...kept,
      ...entries.map((r) => (isMeasured(r) ? { ...r, ratio: ratioOf(r), targetMet: targetMet(r) } : r)),
    ],
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

/** Median of unsorted numbers. */
export function median(values: readonly number[]): number {
  return percentile(
    [...values].sort((a, b) => a - b),
    50,
  );
}
