/**
 * The `webcomm` CLI run as real processes (tsx against the sources): serve and its ports, the
 * admin verbs, register-client, publish (argument, stdin, file, QoS, retain) + listen (NDJSON,
 * --count, --timeout, a broker that goes away, one reused identity), the exit statuses and
 * JSON errors. Every emulator here listens on port 0: the fixed defaults (8080…) are checked
 * through --help and a port held by the test, never by binding them (other suites run alongside).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Each CLI process costs 1-5 s to start on a loaded 2-core machine (tsx compiles the sources).
const slow = { timeout: 240_000 };
import { silentLogger } from '../logger.js';
import { startEmulator } from '../start-emulator.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const cli = fileURLToPath(new URL('./main.ts', import.meta.url));
const anyPorts = ['--http-port', '0', '--https-port', '0', '--mqtt-port', '0', '--mqtts-port', '0'];

function start(args: string[]): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, ['--import', 'tsx', cli, ...args], {
    cwd: root,
    env: { ...process.env, WEBCOMM_URL: '', WEBCOMM_ADMIN_TOKEN: '' },
  });
}

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs one command to its end; `input` is its stdin (closed either way, so nothing waits on it). */
function run(args: string[], input?: string): Promise<Outcome> {
  return new Promise((resolve) => {
    const child = start(args);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

/** The output of a running child so far, once `predicate` holds for it. */
function waitFor(stream: NodeJS.ReadableStream, predicate: (text: string) => boolean): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    const onData = (d: Buffer): void => {
      text += d.toString();
      if (predicate(text)) {
        stream.off('data', onData);
        resolve(text);
      }
    };
    stream.on('data', onData);
  });
}

/** A running child's exit status, with everything it printed. */
function finished(child: ChildProcessWithoutNullStreams): Promise<Outcome> {
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

const lines = (text: string): unknown[] =>
  text
    .trim()
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as unknown);

let dataDir = '';
let outDir = '';
let server: ChildProcessWithoutNullStreams;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'webcomm-cli-'));
  outDir = await mkdtemp(join(tmpdir(), 'webcomm-cli-out-'));
  server = start(['serve', '--data-dir', dataDir, '--json', '--quiet', ...anyPorts]);
  const printed = await waitFor(server.stdout, (t) => t.trimEnd().endsWith('}'));
  expect(JSON.parse(printed).http).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
}, 120_000);

afterAll(async () => {
  if (server.exitCode === null) {
    const exited = new Promise((resolve) => server.on('exit', resolve));
    server.kill('SIGTERM');
    await exited;
  }
  await rm(dataDir, { recursive: true, force: true });
  await rm(outDir, { recursive: true, force: true });
});

describe('webcomm serve', slow, () => {
  it('documents the fixed default ports and takes 0 for any free port', async () => {
    const help = await run(['serve', '--help']);
    expect(help.code).toBe(0);
    for (const [flag, port] of [
      ['--http-port', 8080],
      ['--https-port', 8443],
      ['--mqtts-port', 8883],
      ['--mqtt-port', 1883],
    ] as const) {
      expect(help.stdout.replace(/\s+/g, ' ')).toContain(`${flag} <port>`);
      expect(help.stdout.replace(/\s+/g, ' ')).toMatch(
        new RegExp(`${flag} <port> [^(]*\\(0: any free port\\) \\(default: "${port}"\\)`),
      );
    }
    expect(help.stdout).toContain('(default: ".webcomm-data")');
  });

  it('records its endpoints in the data directory with mode 0600, quietly (--quiet prints no log line)', async () => {
    const record = JSON.parse(await readFile(join(dataDir, 'endpoints.json'), 'utf8')) as { http: string; pid: number };
    expect(record.pid).toBe(server.pid);
    expect((await stat(join(dataDir, 'endpoints.json'))).mode & 0o777).toBe(0o600);
  });

  it('a port in use stops it with exit 1 and names the flag to change; --json makes that a JSON object', async () => {
    const holder = createServer();
    await new Promise<void>((listening) => holder.listen(0, '127.0.0.1', listening));
    const { port } = holder.address() as AddressInfo;
    const otherDir = await mkdtemp(join(tmpdir(), 'webcomm-cli-busy-'));
    try {
      const busy = await run(['serve', '--data-dir', otherDir, ...anyPorts, '--https-port', String(port)]);
      expect([busy.code, busy.stderr.trim()]).toEqual([
        1,
        `webcomm: port ${port} is in use: pass --https-port 0 or another port (is another "webcomm serve" running?).`,
      ]);
      const asJson = await run(['serve', '--data-dir', otherDir, '--json', ...anyPorts, '--mqtt-port', String(port)]);
      expect(asJson.code).toBe(1);
      expect(JSON.parse(asJson.stderr)).toEqual({
        error: { code: 'PORT_IN_USE', message: expect.stringContaining(`port ${port} is in use: pass --mqtt-port 0`) },
      });
      const holder2 = createServer();
      await new Promise<void>((listening) => holder2.listen(0, '127.0.0.1', listening));
      const { port: port2 } = holder2.address() as AddressInfo;
      const both = await run([
        'serve',
        '--data-dir',
        otherDir,
        ...anyPorts,
        '--http-port',
        String(port),
        '--mqtts-port',
        String(port2),
      ]).finally(() => holder2.close());
      // Every busy port in one line, not one per run.
      expect([both.code, both.stderr.trim()]).toEqual([
        1,
        `webcomm: ports ${port}, ${port2} are in use: pass --http-port 0 --mqtts-port 0 or other ports (is another "webcomm serve" running?).`,
      ]);
      const sameDir = await run(['serve', '--data-dir', dataDir, '--json', ...anyPorts]);
      expect([sameDir.code, (JSON.parse(sameDir.stderr) as { error: { code: string } }).error.code]).toEqual([
        1,
        'DATA_DIR_IN_USE',
      ]);
    } finally {
      holder.close();
      await rm(otherDir, { recursive: true, force: true });
    }
  });
});

describe('webcomm conventions', slow, () => {
  it('--version prints the package version', async () => {
    const { version } = JSON.parse(await readFile(join(root, 'packages/emulator/package.json'), 'utf8')) as {
      version: string;
    };
    expect(await run(['--version'])).toMatchObject({ code: 0, stdout: `${version}\n` });
  });

  it('usage errors exit 2, as text or as {"error": {code, message}} with --json', async () => {
    const [unknownOption, missing, unknownCommand, badQos] = await Promise.all([
      run(['users', '--nope']),
      run(['publish', '--json']),
      run(['frobnicate', '--json']),
      run(['publish', 'chat', '{}', '--qos', '2', '--data-dir', dataDir]),
    ]);
    // One line, as docs/emulator.md promises for every error (commander's own output was three).
    expect([unknownOption.code, unknownOption.stderr]).toEqual([
      2,
      `webcomm: unknown option '--nope'; run "webcomm users --help" for usage.\n`,
    ]);
    expect(missing.code).toBe(2);
    expect(JSON.parse(missing.stderr)).toEqual({
      error: { code: 'USAGE', message: `missing required argument 'channel'; run "webcomm publish --help" for usage.` },
    });
    expect([
      unknownCommand.code,
      (JSON.parse(unknownCommand.stderr) as { error: { code: string } }).error.code,
    ]).toEqual([2, 'USAGE']);
    expect(badQos.code).toBe(2);
    const badCount = await run(['listen', 'chat', '-C', 'x', '--data-dir', dataDir, '--json']);
    expect([badCount.code, JSON.parse(badCount.stderr)]).toEqual([
      2,
      { error: { code: 'USAGE', message: expect.stringContaining('--count') } },
    ]);
  });

  it('an API refusal is a JSON error with the service code under --json', async () => {
    const banned = await run(['set-status', 'nobody-registered-this', 'banned', '--data-dir', dataDir, '--json']);
    expect(banned.code).toBe(4);
    expect(JSON.parse(banned.stderr)).toEqual({
      error: { code: 'UNKNOWN_USER', message: expect.stringContaining('No user "nobody-registered-this"') },
    });
  });

  it('a misspelt channel is bad usage (exit 2) with the library\'s "did you mean", for listen and publish', async () => {
    // One listen at a time: each registers the one listener identity (see 'runs reuse one listener identity').
    const listen = await run(['listen', 'content-update', '-W', '5', '--data-dir', dataDir]);
    const listenJson = await run([
      'listen',
      'announcements',
      'anouncements',
      '-W',
      '5',
      '--data-dir',
      dataDir,
      '--json',
    ]);
    const [publish, unlike] = await Promise.all([
      run(['publish', 'content-update', '{}', '--data-dir', dataDir]),
      run(['publish', 'zzzzzzzz', '{}', '--data-dir', dataDir]),
    ]);
    const suggestion = 'no channel "content-update" (did you mean "content-updates"?); "webcomm channels" lists them.';
    expect([listen.code, listen.stderr.trim()]).toEqual([2, `webcomm: ${suggestion}`]);
    expect([publish.code, publish.stderr.trim()]).toEqual([2, `webcomm: ${suggestion}`]);
    expect([listenJson.code, JSON.parse(listenJson.stderr)]).toEqual([
      2,
      { error: { code: 'UNKNOWN_CHANNEL', message: expect.stringContaining('did you mean "announcements"?') } },
    ]);
    expect([unlike.code, unlike.stderr]).toEqual([2, expect.stringContaining('the channels are "announcements"')]);
  });
});

describe('webcomm admin commands', slow, () => {
  it('channels says who may publish on each', async () => {
    const channels = await run(['channels', '--data-dir', dataDir]);
    expect(channels.code).toBe(0);
    expect(channels.stdout).toMatch(/announcements\s+broadcast\s+service only\s+webcomm\/local\/announcements/);
    expect(channels.stdout).toMatch(/chat\s+broadcast\s+service, clients\s+webcomm\/local\/chat/);
    expect(channels.stdout).toMatch(/tools\s+broadcast\s+service, trusted tools\s+webcomm\/local\/tools/);
    const asJson = JSON.parse((await run(['channels', '--data-dir', dataDir, '--json'])).stdout) as {
      name: string;
      trustedPublish?: boolean;
    }[];
    expect(asJson.find((c) => c.name === 'tools')?.trustedPublish).toBe(true);
    expect(asJson.find((c) => c.name === 'chat')?.trustedPublish).toBeUndefined();
  });

  it('register-client writes the identity with the key at mode 0600; users shows it; set-status bans it', async () => {
    const registered = await run([
      'register-client',
      '--data-dir',
      dataDir,
      '--out',
      outDir,
      '--publish',
      'tools',
      '--json',
    ]);
    expect(registered.code).toBe(0);
    const { clientId, brokerPublish } = JSON.parse(registered.stdout) as { clientId: string; brokerPublish: string[] };
    expect(brokerPublish).toEqual(['tools']);
    expect((await stat(join(outDir, 'private-key.pem'))).mode & 0o777).toBe(0o600);
    expect(await readFile(join(outDir, 'certificate.pem'), 'utf8')).toMatch(/BEGIN CERTIFICATE/);
    const users = JSON.parse((await run(['users', '--data-dir', dataDir, '--json'])).stdout) as {
      id: string;
      status: string;
    }[];
    expect(users.find((u) => u.id === clientId)?.status).toBe('active');
    const banned = await run(['set-status', clientId, 'banned', '--data-dir', dataDir]);
    expect(banned.stdout).toContain(`${clientId} is now banned`);
  });

  it('fails with a non-zero exit and a message that says what to do', async () => {
    const [badJson, unknown, noServer, noDir, badStatus, help] = await Promise.all([
      run(['publish', 'chat', 'not json', '--data-dir', dataDir]),
      run(['publish', 'nope', '{}', '--data-dir', dataDir]),
      run(['users', '--url', 'http://127.0.0.1:9', '--admin-token', 'x']),
      run(['users', '--data-dir', join(dataDir, 'missing')]),
      run(['set-status', 'x', 'frozen', '--data-dir', dataDir]),
      run(['publish', '--help']),
    ]);
    expect([badJson.code, badJson.stderr]).toEqual([2, expect.stringContaining('must be JSON text')]);
    expect([unknown.code, unknown.stderr]).toEqual([2, expect.stringContaining('no channel "nope"')]);
    expect([noServer.code, noServer.stderr]).toEqual([3, expect.stringContaining('is "webcomm serve" running?')]);
    expect([noDir.code, noDir.stderr]).toEqual([2, expect.stringContaining('start one with "webcomm serve"')]);
    expect(badStatus.code).toBe(2);
    expect([help.code, help.stdout]).toEqual([0, expect.stringContaining('Usage: webcomm publish')]);
  });
});

describe('webcomm publish + listen', slow, () => {
  it('listen --json prints NDJSON and exits 0 after --count messages; publish reads the argument, stdin (- or piped) and -f FILE', async () => {
    const listener = start(['listen', 'announcements', '--data-dir', dataDir, '--json', '-C', '3']);
    const result = finished(listener);
    await waitFor(listener.stderr, (t) => t.includes('"status":"listening"'));
    const file = join(outDir, 'message.json');
    await writeFile(file, '{"from": "file"}');
    expect((await run(['publish', 'announcements', '{"from": "argument"}', '--data-dir', dataDir])).code).toBe(0);
    expect((await run(['publish', 'announcements', '-', '--data-dir', dataDir], '{"from": "stdin"}')).code).toBe(0);
    expect((await run(['publish', 'announcements', '-f', file, '--qos', '0', '--data-dir', dataDir])).code).toBe(0);
    const { code, stdout } = await result;
    expect(code).toBe(0);
    const printed = lines(stdout) as { topic: string; message: { from: string }; retain: boolean }[];
    expect(printed.map((line) => line.message.from).sort()).toEqual(['argument', 'file', 'stdin']);
    expect(printed.every((line) => line.topic === 'webcomm/local/announcements' && line.retain === false)).toBe(true);
  });

  it('publish with no argument reads piped stdin; --retain keeps the message for the next listener', async () => {
    const published = await run(['publish', 'chat', '--retain', '--data-dir', dataDir, '--json'], '{"kept": true}');
    expect([published.code, JSON.parse(published.stdout)]).toEqual([
      0,
      expect.objectContaining({ topic: 'webcomm/local/chat' }),
    ]);
    const late = await run(['listen', 'chat', '--data-dir', dataDir, '--json', '-C', '1', '-W', '20']);
    expect(late.code).toBe(0);
    expect(lines(late.stdout)).toEqual([expect.objectContaining({ message: { kept: true }, retain: true })]);
  });

  it('listen -W exits 27 when the time passes first, and runs reuse one listener identity', async () => {
    const first = await run(['listen', 'announcements', '--data-dir', dataDir, '-W', '1']);
    expect(first.code).toBe(27);
    // The flag as typed (-W) is named, and ending the run is not reported as a lost broker.
    expect(first.stderr.trim().split('\n').slice(1)).toEqual([
      'webcomm: timed out: 0 message(s) in 1 s (-W/--timeout).',
    ]);
    const second = await run(['listen', 'announcements', '--data-dir', dataDir, '-W', '1', '--json']);
    expect(second.code).toBe(27);
    expect(JSON.parse(second.stderr.trim().split('\n').at(-1) ?? '')).toEqual({
      error: { code: 'TIMEOUT', message: expect.any(String) },
    });
    const after = JSON.parse((await run(['users', '--data-dir', dataDir, '--json'])).stdout) as { id: string }[];
    // Four listen runs so far in this file, one user for all of them (the other is register-client's).
    expect(after.filter((u) => u.id.startsWith('webcomm-listen-')).map((u) => u.id)).toEqual(['webcomm-listen-1']);
    expect(after).toHaveLength(2);
  });

  it('two listeners at once get two identities (no DUPLICATE_CLIENTID fight), both receive', async () => {
    const a = start(['listen', 'announcements', '--data-dir', dataDir, '--json', '-C', '1']);
    const b = start(['listen', 'announcements', '--data-dir', dataDir, '--json', '-C', '1']);
    const [doneA, doneB] = [finished(a), finished(b)];
    const ids = await Promise.all(
      [a, b].map(async (child) => {
        const text = await waitFor(child.stderr, (t) => t.includes('"status":"listening"'));
        return (JSON.parse(text.trim().split('\n')[0] ?? '') as { clientId: string }).clientId;
      }),
    );
    expect(ids.sort()).toEqual(['webcomm-listen-1', 'webcomm-listen-2']);
    expect((await run(['publish', 'announcements', '{"n": 1}', '--data-dir', dataDir])).code).toBe(0);
    expect((await doneA).code).toBe(0);
    expect((await doneB).code).toBe(0);
  });

  it('finds an emulator started from code (startEmulator({ dataDir })) and says on stderr when its broker goes away', async () => {
    const codeDir = await mkdtemp(join(tmpdir(), 'webcomm-cli-code-'));
    const emulator = await startEmulator({ dataDir: codeDir, logger: silentLogger });
    try {
      expect((await stat(join(codeDir, 'endpoints.json'))).mode & 0o777).toBe(0o600);
      const listener = start(['listen', 'announcements', '--data-dir', codeDir]);
      const result = finished(listener);
      await waitFor(listener.stderr, (t) => t.includes('listening on webcomm/local/announcements as webcomm-listen-1'));
      const lost = waitFor(listener.stderr, (t) => t.includes('lost the broker'));
      await emulator.stop();
      expect(await lost).toMatch(/webcomm: lost the broker at mqtts:\/\/127\.0\.0\.1:\d+; reconnecting/);
      await expect(stat(join(codeDir, 'endpoints.json'))).rejects.toMatchObject({ code: 'ENOENT' });
      listener.kill('SIGINT');
      expect((await result).code).toBe(0);
    } finally {
      await emulator.stop();
      await rm(codeDir, { recursive: true, force: true });
    }
  });
});

describe('webcomm serve (end)', slow, () => {
  it('stops cleanly on SIGTERM and removes endpoints.json', async () => {
    const exited = new Promise<number | null>((resolve) => server.on('exit', resolve));
    server.kill('SIGTERM');
    expect(await exited).toBe(0);
    await expect(stat(join(dataDir, 'endpoints.json'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
