/**
 * Starts an emulator for a test: temporary data directory, OS-chosen ports, log lines
 * captured, everything removed by `close()`. Extend it by passing more {@link EmulatorOptions}.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EmulatorOptions } from '../src/emulator-options.js';
import type { Logger } from '../src/logger.js';
import type { RunningEmulator } from '../src/start-emulator.js';
import { startEmulator } from '../src/start-emulator.js';
import { MemoryUsers, TestChannels } from './memory-service.js';

/** A started emulator plus what tests inspect. */
export interface EmulatorFixture {
  readonly emulator: RunningEmulator;
  /** Every log line so far. */
  readonly logs: string[];
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
  const logger: Logger = { info: (line: string) => logs.push(line), warn: (line: string) => logs.push(line), error: (line: string) => logs.push(line) };
  options = { users: new MemoryUsers(), channels: new TestChannels(), ...options };
  let emulator = await startEmulator({ logger, ...options, dataDir });
  const fixture = {
    get emulator() {
      return emulator;
    },
    logs,
    stop: () => emulator.stop(),
    async restart(more: EmulatorOptions = {}) {
      await emulator.stop();
      emulator = await startEmulator({ logger, ...options, ...more, dataDir });
      return emulator;
    },
    async close() {
      await emulator.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  return fixture;
}
