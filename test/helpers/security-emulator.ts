/**
 * `startEmulator()` with its defaults, as the security suite tests it: only a temporary data
 * directory, a logger that keeps the lines (for tests of the log itself: secrets, escaping) and a
 * refusal listener (to check why the emulator refused something) are set.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type EmulatorOptions, type Refusal, type RunningEmulator } from '@webcomm/emulator';

/** A default emulator, its log and its refusals. */
export interface SecurityEmulator {
  readonly emulator: RunningEmulator;
  readonly logs: string[];
  /** Every refusal so far: assert why the emulator refused by `reason`, not by log text. */
  readonly refusals: Refusal[];
  /** Stops it and removes its data directory. */
  close(): Promise<void>;
}

/** Starts an emulator with the defaults (plus `options`, for tests of an explicit opt-in). */
export async function startDefaultEmulator(options: EmulatorOptions = {}): Promise<SecurityEmulator> {
  const dataDir = await mkdtemp(join(tmpdir(), 'webcomm-security-'));
  const logs: string[] = [];
  const keep = (line: string): void => void logs.push(line);
  const emulator = await startEmulator({ ...options, dataDir, logger: { info: keep, warn: keep, error: keep } });
  const refusals: Refusal[] = [];
  emulator.onRefusal((refusal) => refusals.push(refusal));
  return {
    emulator,
    logs,
    refusals,
    async close() {
      await emulator.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** `fetch` JSON to the emulator's HTTP API; resolves with status, parsed body and headers. */
export async function callApi(
  emulator: RunningEmulator,
  path: string,
  init: { method?: string; token?: string; body?: unknown } = {},
): Promise<{
  status: number;
  body: { error?: { code: string; message: string } } & Record<string, unknown>;
  headers: Headers;
}> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (init.token !== undefined) headers.authorization = `Bearer ${init.token}`;
  const response = await fetch(`${emulator.endpoints.http}${path}`, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers,
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  const text = await response.text();
  return { status: response.status, body: (text === '' ? {} : JSON.parse(text)) as never, headers: response.headers };
}
