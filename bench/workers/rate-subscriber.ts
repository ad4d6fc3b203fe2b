/**
 * One delivery-rate run in its own process: connect (ours or MQTT.js), subscribe, pause
 * reading, say `ready`; on `go`, resume and time how fast `count` messages reach the handler
 * (from the first message to the last).
 */
import { nextCommand, reply, workerInput } from '../lib/broker-process.js';
import { loadWebSocketTransport } from '../lib/plugins.js';
import {
  floorSubscriber,
  ourSubscriber,
  peerSubscriber,
  type BenchSubscriber,
  type Decode,
  type EngineName,
} from '../lib/subscribers.js';

export interface RateInput {
  /** `floor`: a raw socket that only frames the PUBLISHes (TCP only), see `floorSubscriber`. */
  readonly side: 'ours' | 'peer' | 'floor';
  readonly decode: Decode;
  readonly url: string;
  readonly port: number;
  readonly count: number;
  /** Ours only: channels subscribed besides the measured one. @default 0 */
  readonly extraChannels?: number;
  /** Ours only: `ws` uses @webcomm/browser's WebSocket transport to `url`. @default 'tcp' */
  readonly transport?: 'tcp' | 'ws';
  /** Ours only: core's MQTT engine. @default 'lean' */
  readonly engine?: EngineName;
}

/** What the worker reports after the run. */
export interface RateResult {
  readonly received: number;
  /** Messages that arrived before `go` (reads were not fully paused). */
  readonly early: number;
  readonly ms: number;
  readonly rate: number;
  /** CPU time (user + system) this process spent from the first message to the last, in µs per message: less swayed by other load on the machine than the rate. */
  readonly cpuUsPerMessage: number;
}

const input = workerInput<RateInput>();
let received = 0;
let started = false;
let early = 0;
let firstAt = 0;
let cpuAtFirst: NodeJS.CpuUsage | undefined;
let done: () => void = () => undefined;
const finished = new Promise<void>((resolve) => (done = resolve));
const onMessage = (value: unknown): void => {
  if (value === undefined) return;
  if (!started) early++;
  if (received === 0) {
    firstAt = performance.now();
    cpuAtFirst = process.cpuUsage();
  }
  if (++received === input.count) done();
};
async function ourTransport(): Promise<Parameters<typeof ourSubscriber>[3]> {
  if (input.transport !== 'ws') return {};
  const loaded = await loadWebSocketTransport();
  if (!loaded.ok) throw new Error(loaded.missing);
  return { transport: loaded.value(input.url) };
}
const subscriber: BenchSubscriber =
  input.side === 'floor'
    ? await floorSubscriber(input.port, onMessage)
    : input.side === 'ours'
      ? await ourSubscriber(input.port, input.decode, onMessage, {
          extraChannels: input.extraChannels ?? 0,
          engine: input.engine ?? 'lean',
          ...(await ourTransport()),
        })
      : await peerSubscriber(input.url, input.decode, onMessage);
// Over WebSocket neither side pauses: ours cannot (a WebSocket exposes no socket to pause), and
// a paused peer would find the whole feed already waiting in its socket buffers at `go` while
// ours takes it as the server writes it (measured: ours at half the peer's CPU per message, yet
// 0.88x its rate, waiting on the sender). Both now take the frames as they are written.
const pausable = !input.url.startsWith('ws');
if (pausable) subscriber.stream?.pause();
await reply({ ready: true });
await nextCommand<{ go: true }>();
started = true;
const goAt = performance.now();
if (pausable) subscriber.stream?.resume();
await finished;
const cpu = process.cpuUsage(cpuAtFirst);
// Timed from the first message to the last: the same for every link, also one whose reads
// cannot be paused (a WebSocket transport exposes no socket).
const ms = performance.now() - firstAt;
await subscriber.close();
await reply({
  received,
  early,
  ms,
  rate: ((received - 1) / ms) * 1000,
  cpuUsPerMessage: (cpu.user + cpu.system) / (received - 1),
  firstAfterMs: firstAt - goAt,
} satisfies RateResult & { firstAfterMs: number });
process.exit(0);
