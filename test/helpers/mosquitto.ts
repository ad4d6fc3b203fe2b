/**
 * A real Debian mosquitto (`/usr/sbin/mosquitto`, package `mosquitto`) on 127.0.0.1, for tests
 * that need an independent broker: it numbers packet ids its own way and sets the DUP flag on
 * resends, which aedes does not. The port is chosen by binding port 0 first; the config lives
 * in a temporary directory (with the persistence file when `persistence` is on). `restart()`
 * stops the process (SIGTERM: a persistent broker saves its sessions) and starts it again on
 * the same port; `stop()` ends it and removes the directory. Call `stop()` in `afterEach`.
 *
 * To extend: add a field to {@link MosquittoOptions} and a line to `configText`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where Debian installs the broker. */
export const MOSQUITTO_BINARY = '/usr/sbin/mosquitto';

/** Debian's build of mosquitto's dynamic security plugin (package `mosquitto`). */
export const DYNSEC_PLUGIN = '/usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so';

/** Options of {@link startMosquitto}. */
export interface MosquittoOptions {
  /** Keep sessions and queued messages across restarts (a persistence file). @default false */
  persistence?: boolean;
  /**
   * Also listen for MQTT over WebSocket (`wsPort`). mosquitto refuses to start with only a
   * WebSocket listener, so the TCP one stays. @default false
   */
  webSocket?: boolean;
  /**
   * An ACL file's text (mosquitto's `acl_file`), e.g. `topic deny forbidden/#`; lines before any
   * `user` apply to anonymous clients. mosquitto 2.0 checks it on PUBLISH (MQTT 5: PUBACK 0x87),
   * not on SUBSCRIBE (use `dynsec`). @default none: all allowed
   */
  acl?: string;
  /**
   * Load Debian's dynamic security plugin with this configuration (its JSON document). It checks
   * SUBSCRIBE too (MQTT 5: SUBACK 0x87 for a filter no role allows), and a change of roles through
   * `$CONTROL/dynamic-security/v1` disconnects the affected clients with 0x98 (administrative
   * action). @default none
   */
  dynsec?: object;
}

/** A running mosquitto. */
export interface TestMosquitto {
  readonly port: number;
  /** The WebSocket listener's port (with `webSocket: true`), else undefined. */
  readonly wsPort: number | undefined;
  /** Stops the broker (SIGTERM) and starts it again on the same port and directory. */
  restart(): Promise<void>;
  /** Stops the broker and removes its directory. Safe to call twice. */
  stop(): Promise<void>;
}

/** A free TCP port on 127.0.0.1: bind port 0, read it, close. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return address.port;
}

function configText(port: number, wsPort: number | undefined, dir: string, options: MosquittoOptions): string {
  return [
    `listener ${port} 127.0.0.1`,
    ...(wsPort === undefined ? [] : [`listener ${wsPort} 127.0.0.1`, 'protocol websockets']),
    'allow_anonymous true',
    ...(options.acl === undefined ? [] : [`acl_file ${dir}/acl`]),
    // Run as root (CI containers), mosquitto would switch to user "mosquitto", who cannot
    // write the persistence file in our temporary directory.
    'user root',
    `persistence ${options.persistence === true ? 'true' : 'false'}`,
    `persistence_location ${dir}/`,
    'log_dest stderr',
    'log_type error',
    'log_type warning',
    ...(options.dynsec === undefined
      ? []
      : [`plugin ${DYNSEC_PLUGIN}`, `plugin_opt_config_file ${dir}/dynamic-security.json`]),
    '',
  ].join('\n');
}

/** Resolves once something accepts TCP connections on `port`; rejects when `child` exits first. */
async function waitListening(
  port: number,
  child: ChildProcess,
  stderr: () => string,
  deadlineMs = 10_000,
): Promise<void> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `mosquitto exited (${child.exitCode ?? child.signalCode}) before listening on ${port}: ${stderr()}`,
      );
    }
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`mosquitto did not listen on ${port} within ${deadlineMs} ms: ${stderr()}`);
    // Polling a condition with a deadline: the broker has no readiness signal of its own.
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Starts mosquitto on a free port. Throws a clear error when the binary is not installed. */
export async function startMosquitto(options: MosquittoOptions = {}): Promise<TestMosquitto> {
  if (!existsSync(MOSQUITTO_BINARY)) {
    throw new Error(`${MOSQUITTO_BINARY} not found: install Debian's broker (apt-get install -y mosquitto).`);
  }
  const dir = await mkdtemp(join(tmpdir(), 'webcomm-mosquitto-'));
  const port = await freePort();
  const wsPort = options.webSocket === true ? await freePort() : undefined;
  const configPath = join(dir, 'mosquitto.conf');
  await writeFile(configPath, configText(port, wsPort, dir, options), { mode: 0o600 });
  if (options.acl !== undefined) await writeFile(join(dir, 'acl'), `${options.acl}\n`, { mode: 0o600 });
  if (options.dynsec !== undefined)
    await writeFile(join(dir, 'dynamic-security.json'), JSON.stringify(options.dynsec), { mode: 0o600 });
  let child: ChildProcess | undefined;
  let stopped = false;

  const boot = async (): Promise<void> => {
    let err = '';
    const proc = spawn(MOSQUITTO_BINARY, ['-c', configPath], { stdio: ['ignore', 'ignore', 'pipe'] });
    proc.stderr?.on('data', (chunk: Buffer) => void (err = (err + chunk.toString()).slice(-2000)));
    child = proc;
    await waitListening(port, proc, () => err);
    if (wsPort !== undefined) await waitListening(wsPort, proc, () => err);
  };
  const halt = async (): Promise<void> => {
    const proc = child;
    child = undefined;
    if (proc === undefined) return;
    proc.kill('SIGTERM');
    await exited(proc);
  };

  await boot();
  return {
    port,
    wsPort,
    async restart() {
      await halt();
      await boot();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await halt();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
