/** Starts {@link ../workers/broker-process.ts} in a child process and talks to it over IPC. */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { compileWorker } from './compile-worker.js';

/** Commands the broker process understands. */
export type BrokerCommand =
  | {
      readonly id: number;
      readonly cmd: 'blast';
      readonly topic: string;
      readonly count: number;
      readonly payload: string;
    }
  | { readonly id: number; readonly cmd: 'restart' | 'clients' | 'stop' };

/** Its replies; `at` is {@link wallNow} when the command finished. */
export interface BrokerReply {
  readonly id: number;
  readonly at: number;
  readonly port?: number;
  readonly wsPort?: number;
  /** For `restart`: when the broker went down. */
  readonly downAt?: number;
  readonly clients?: number;
}

/** A broker running in its own process. */
export interface BrokerProcess {
  readonly port: number;
  readonly wsPort: number | undefined;
  /** Publishes `count` QoS 0 messages of `payload` on `topic`; resolves when all were handed to aedes. */
  blast(topic: string, count: number, payload: Uint8Array): Promise<BrokerReply>;
  /** Drops every client and listens again; resolves with when it went down and when it was back. */
  restart(): Promise<{ downAt: number; backAt: number }>;
  /** Clients connected right now. */
  clients(): Promise<number>;
  stop(): Promise<void>;
}

/** Runs a TypeScript file in a child Node process through tsx, with an IPC channel. */
export function forkTs(
  relativeToBench: string,
  args: readonly string[],
  execArgv: readonly string[] = [],
): ChildProcess {
  const script = fileURLToPath(new URL(`../${relativeToBench}`, import.meta.url));
  return fork(script, [...args], {
    execArgv: ['--import', 'tsx', ...execArgv],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

export async function startBrokerProcess(options: { noDelay: boolean; ws?: boolean }): Promise<BrokerProcess> {
  const child = forkTs('workers/broker-process.ts', [
    options.noDelay ? 'nodelay' : 'nagle',
    ...(options.ws === true ? ['ws'] : []),
  ]);
  const pending = new Map<number, (reply: BrokerReply) => void>();
  let nextId = 1;
  const ready = new Promise<BrokerReply>((resolve, reject) => {
    pending.set(0, resolve);
    child.once('exit', (code) => reject(new Error(`broker process exited with ${code}`)));
  });
  child.on('message', (reply: BrokerReply) => {
    pending.get(reply.id)?.(reply);
    pending.delete(reply.id);
  });
  const call = (
    command: BrokerCommand extends infer C ? (C extends BrokerCommand ? Omit<C, 'id'> : never) : never,
  ): Promise<BrokerReply> => {
    const id = nextId++;
    return new Promise((resolve) => {
      pending.set(id, resolve);
      child.send({ ...command, id });
    });
  };
  const { port, wsPort } = await ready;
  if (port === undefined) throw new Error('broker process sent no port');
  return {
    port,
    wsPort,
    blast: (topic, count, payload) =>
      call({ cmd: 'blast', topic, count, payload: Buffer.from(payload).toString('base64') }),
    async restart() {
      const reply = await call({ cmd: 'restart' });
      return { downAt: reply.downAt ?? Number.NaN, backAt: reply.at };
    },
    async clients() {
      return (await call({ cmd: 'clients' })).clients ?? 0;
    },
    async stop() {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      await call({ cmd: 'stop' });
      await exited;
    },
  };
}

/** Runs a worker script in a child process and resolves with the first message it sends. */
export async function runWorker<T>(
  relativeToBench: string,
  input: unknown,
  execArgv: readonly string[] = [],
): Promise<T> {
  const child = forkTs(relativeToBench, [JSON.stringify(input)], execArgv);
  return new Promise<T>((resolve, reject) => {
    let result: T | undefined;
    child.once('message', (message: T) => {
      result = message;
    });
    child.once('exit', (code) =>
      result !== undefined
        ? resolve(result)
        : reject(new Error(`${relativeToBench} exited with ${code} and no result`)),
    );
  });
}

/** A worker process with a two-way IPC conversation. */
export interface Worker<In, Out> {
  /** The next message the worker sends. */
  next(): Promise<Out>;
  send(message: In): void;
  /** Resolves when the worker exits (rejects on a non-zero exit code). */
  readonly exited: Promise<void>;
}

/**
 * Starts a worker script in a child process (input as its one argument, JSON); talk to it with
 * `next`/`send`. The script runs compiled as our packages ship, not through tsx (see
 * {@link compileWorker}).
 */
export function startWorker<In, Out>(
  relativeToBench: string,
  input: unknown,
  execArgv: readonly string[] = [],
): Worker<In, Out> {
  const inbox: Out[] = [];
  const waiting: { resolve: (m: Out) => void; reject: (e: Error) => void }[] = [];
  let exitedCode: number | null | undefined;
  const started = compileWorker(relativeToBench).then((file) => {
    const child = fork(file, [JSON.stringify(input)], {
      execArgv: [...execArgv],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    child.on('message', (message: Out) => {
      const waiter = waiting.shift();
      if (waiter === undefined) inbox.push(message);
      else waiter.resolve(message);
    });
    return child;
  });
  const exited = started.then(
    (child) =>
      new Promise<void>((resolve, reject) => {
        child.once('exit', (code) => {
          exitedCode = code;
          const error = new Error(`${relativeToBench} exited with ${code}`);
          for (const waiter of waiting.splice(0)) waiter.reject(error);
          if (code === 0) resolve();
          else reject(error);
        });
      }),
  );
  exited.catch((error: unknown) => {
    for (const waiter of waiting.splice(0)) waiter.reject(error as Error);
  });
  return {
    next: () => {
      const message = inbox.shift();
      if (message !== undefined) return Promise.resolve(message);
      if (exitedCode !== undefined) return Promise.reject(new Error(`${relativeToBench} already exited`));
      return new Promise((resolve, reject) => waiting.push({ resolve, reject }));
    },
    send: (message) => void started.then((child) => child.send(message as object)),
    exited,
  };
}

/** In a worker: its input, and a way to send a message and then exit. */
export function workerInput<T>(): T {
  return JSON.parse(process.argv[2] ?? '{}') as T;
}

export function reply(message: unknown): Promise<void> {
  return new Promise((resolve) => process.send?.(message, () => resolve()));
}

export function nextCommand<T>(): Promise<T> {
  return new Promise((resolve) => process.once('message', (message: T) => resolve(message)));
}
