/**
 * Starts an emulator for a test: temporary data directory, OS-chosen ports, log lines and
 * refusals captured, everything removed by `close()`. Extend it by passing more {@link EmulatorOptions}.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EmulatorOptions } from '../src/emulator-options.js';
import type { Logger } from '../src/logger.js';
import type { Refusal } from '../src/refusal-events.js';
import type { RunningEmulator } from '../src/start-emulator.js';
import { startEmulator } from '../src/start-emulator.js';
import { MemoryUsers, TestChannels } from './memory-service.js';

/** A started emulator plus what tests inspect. */
export interface EmulatorFixture {
  readonly emulator: RunningEmulator;
  /** Every log line so far (for tests of the log itself: secrets, escaping). */
  readonly logs: string[];
  /** Every refusal so far, across restarts: assert why the emulator refused, by `reason`. */
  readonly refusals: Refusal[];
  /** Stops the emulator (keeping the data directory). */
  stop(): Promise<void>;
  /** Starts it again on the same data directory. */
  restart(options?: EmulatorOptions): Promise<RunningEmulator>;
  /** Stops it and deletes the data directory. */
  close(): Promise<void>;
}

/** Starts an emulator on a fresh temporary data directory. */
export async function startFixture(options: EmulatorOptions = {}): Promise<EmulatorFixture> {
  const dataDir = await mkdtemp(join(tmpdir(), 'webcomm-emu-'));
  const logs: string[] = [];
  const logger: Logger = {
    info: (line: string) => logs.push(line),
    warn: (line: string) => logs.push(line),
    error: (line: string) => logs.push(line),
  };
  options = { users: new MemoryUsers(), channels: new TestChannels(), ...options };
  const refusals: Refusal[] = [];
  const start = async (more: EmulatorOptions): Promise<RunningEmulator> => {
    const started = await startEmulator({ logger, ...more, dataDir });
    started.onRefusal((refusal) => refusals.push(refusal));
    return started;
  };
  let emulator = await start(options);
  const fixture = {
    get emulator() {
      return emulator;
    },
    logs,
    refusals,
    stop: () => emulator.stop(),
    async restart(more: EmulatorOptions = {}) {
      await emulator.stop();
      emulator = await start({ ...options, ...more });
      return emulator;
    },
    async close() {
      await emulator.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  return fixture;
}
