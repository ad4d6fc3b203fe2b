/** Benchmark sizes: full (`pnpm bench`) or tiny for CI (`pnpm bench --smoke`, `BENCH_SMOKE=1`). */
export interface BenchSizes {
  readonly smoke: boolean;
  /** Messages per delivery-rate run, and rounds per side (median kept). */
  readonly rateMessages: number;
  readonly rateRounds: number;
  /** Subscribed channels in the dispatch benchmark, and tinybench time per task (ms). */
  readonly channels: number;
  readonly microTimeMs: number;
  /** Messages in the end-to-end dispatch run. */
  readonly dispatchMessages: number;
  /** Latency run length at 1,000 msg/s per side (ms), split in alternating rounds. */
  readonly latencyMs: number;
  readonly latencyRounds: number;
  /** Clients per side in the resubscribe-time benchmark. */
  readonly resubscribeClients: number;
  /** Clients per side in the reconnect herd. */
  readonly herdClients: number;
  /** Fleet sizes of the pure herd model (`bench/herd.ts`); the last also gets the quota-safe setting. */
  readonly herdModelClients: readonly number[];
  /** Clients per side, broker restarts in a row, and time each link stays up in between (ms). */
  readonly restartClients: number;
  readonly restarts: number;
  readonly restartHoldMs: number;
  /** Idle connections per side in the memory benchmark. */
  readonly idleConnections: number;
  /** Messages per WebSocket delivery-rate run. */
  readonly wsMessages: number;
  /** WebSocket clients and broadcasts in the fan-out benchmark. */
  readonly fanoutClients: number;
  readonly fanoutMessages: number;
}

export function benchSizes(smoke: boolean): BenchSizes {
  return smoke
    ? {
        smoke,
        rateMessages: 2_000,
        rateRounds: 1,
        channels: 10_000,
        microTimeMs: 20,
        dispatchMessages: 1_000,
        latencyMs: 300,
        latencyRounds: 1,
        resubscribeClients: 3,
        herdClients: 30,
        herdModelClients: [1_000, 10_000],
        restartClients: 2,
        restarts: 2,
        restartHoldMs: 200,
        idleConnections: 10,
        wsMessages: 1_000,
        fanoutClients: 20,
        fanoutMessages: 5,
      }
    : {
        smoke,
        rateMessages: 200_000,
        rateRounds: 5,
        channels: 10_000,
        microTimeMs: 1_000,
        dispatchMessages: 100_000,
        latencyMs: 15_000,
        latencyRounds: 5,
        resubscribeClients: 20,
        herdClients: 1_000,
        herdModelClients: [1_000, 10_000, 100_000, 1_000_000],
        restartClients: 20,
        restarts: 10,
        restartHoldMs: 3_000,
        idleConnections: 500,
        wsMessages: 50_000,
        fanoutClients: 1_000,
        fanoutMessages: 20,
      };
}

/** True for `--smoke` or `BENCH_SMOKE=1`. */
export const isSmoke = (argv: readonly string[] = process.argv): boolean =>
  argv.includes('--smoke') || process.env.BENCH_SMOKE === '1';

/** Chart file name under bench/results/: smoke runs draw theirs beside, never over, the full run's. */
export const chartFile = (base: string, sizes: BenchSizes): string => `${base}${sizes.smoke ? '.smoke' : ''}.svg`;
