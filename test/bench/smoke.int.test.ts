/**
 * Runs `pnpm bench --smoke` (tiny sizes) as CI does and checks the report's shape: every
 * benchmark is there, measured ones carry finite figures, the others say what they need.
 * Speed is never asserted here: the figures are for people, not for pass/fail.
 */
import { execFile } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const KEYS = [
  'delivery-rate',
  'dispatch',
  'latency',
  'ws-rate',
  'resubscribe',
  'reconnect-herd',
  'herd-model',
  'fleet-renewal',
  'restarts',
  'bundle-size',
  'fanout',
  'idle-memory',
];

interface Entry {
  name: string;
  benchmark?: string;
  ours?: number;
  peer?: number;
  ratio?: number;
  notMeasured?: string;
  details?: Record<string, number | string>;
}

describe('pnpm bench --smoke', () => {
  it('writes bench/results/smoke.json with every benchmark and finite figures', async () => {
    const startedAt = Date.now();
    await new Promise<void>((resolve, reject) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', 'bench/run.ts', '--smoke'],
        { cwd: root, timeout: 280_000, maxBuffer: 16 * 1024 * 1024 },
        (error, stdout, stderr) =>
          error === null ? resolve() : reject(new Error(`${error.message}\n${stdout}\n${stderr}`)),
      );
    });
    const file = `${root}bench/results/smoke.json`;
    expect(statSync(file).mtimeMs).toBeGreaterThanOrEqual(startedAt - 1000);
    const report = JSON.parse(readFileSync(file, 'utf8')) as { results: Entry[] };
    for (const key of KEYS)
      expect(
        report.results.some((e) => e.benchmark === key),
        `no entry for ${key}`,
      ).toBe(true);
    for (const entry of report.results) {
      if (entry.notMeasured !== undefined) {
        // Allowed only for what needs a package this checkout lacks, never for a crash.
        expect(entry.notMeasured, entry.name).not.toMatch(/^failed/);
        expect(entry.notMeasured.length, entry.name).toBeGreaterThan(0);
      } else {
        expect(Number.isFinite(entry.ours), `${entry.name}: ours`).toBe(true);
        expect(Number.isFinite(entry.peer), `${entry.name}: peer`).toBe(true);
        expect(Number.isFinite(entry.ratio), `${entry.name}: ratio`).toBe(true);
      }
      for (const [k, v] of Object.entries(entry.details ?? {})) {
        if (typeof v === 'number') expect(Number.isFinite(v), `${entry.name}: ${k}`).toBe(true);
      }
    }
    // The charts are drawn from the data.
    for (const svg of ['latency-percentiles.smoke.svg', 'reconnect-herd.smoke.svg']) {
      expect(readFileSync(`${root}bench/results/${svg}`, 'utf8')).toMatch(/^<svg[\s\S]*<rect[\s\S]*<\/svg>\n$/);
    }
  }, 300_000);
});
