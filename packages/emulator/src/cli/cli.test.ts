/**
 * The `webcomm` CLI run as real processes (tsx against the sources): serve, the admin verbs,
 * register-client, listen + publish, bans, and the failure exits.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const cli = fileURLToPath(new URL('./main.ts', import.meta.url));

function start(args: string[]): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, ['--import', 'tsx', cli, ...args], { cwd: root, env: { ...process.env, WEBCOMM_URL: '', WEBCOMM_ADMIN_TOKEN: '' } });
}

/** Runs one command to its end. */
function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = start(args);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Resolves with the output so far once `predicate` holds for it. */
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

let dataDir = '';
let outDir = '';
let server: ChildProcessWithoutNullStreams;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'webcomm-cli-'));
  outDir = await mkdtemp(join(tmpdir(), 'webcomm-cli-out-'));
  server = start(['serve', '--data-dir', dataDir, '--json']);
  const printed = await waitFor(server.stdout, (t) => t.trimEnd().endsWith('}'));
  expect(JSON.parse(printed).http).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
}, 30_000);

afterAll(async () => {
  if (server.exitCode === null) {
    const exited = new Promise((resolve) => server.on('exit', resolve));
    server.kill('SIGTERM');
    await exited;
  }
  await rm(dataDir, { recursive: true, force: true });
  await rm(outDir, { recursive: true, force: true });
});

describe('webcomm CLI (real processes)', () => {
  it('lists channels and (no) users, finding the emulator through --data-dir', async () => {
    const channels = await run(['channels', '--data-dir', dataDir]);
    expect(channels.code).toBe(0);
    expect(channels.stdout).toMatch(/content-updates\s+broadcast\s+receive-only\s+webcomm\/local\/content-updates/);
    const users = await run(['users', '--data-dir', dataDir]);
    expect(users.stdout.trim()).toBe('no users yet');
  });

  it('register-client writes the identity with the key at mode 0600; users shows it; set-status bans it', { timeout: 90_000 }, async () => {
    const registered = await run(['register-client', '--data-dir', dataDir, '--out', outDir, '--publish', 'tools', '--json']);
    expect(registered.code).toBe(0);
    const { clientId, brokerPublish } = JSON.parse(registered.stdout) as { clientId: string; brokerPublish: string[] };
    expect(brokerPublish).toEqual(['tools']);
    expect((await stat(join(outDir, 'private-key.pem'))).mode & 0o777).toBe(0o600);
    expect(await readFile(join(outDir, 'certificate.pem'), 'utf8')).toMatch(/BEGIN CERTIFICATE/);
    const users = JSON.parse((await run(['users', '--data-dir', dataDir, '--json'])).stdout) as { id: string; status: string }[];
    expect(users.find((u) => u.id === clientId)?.status).toBe('active');
    const banned = await run(['set-status', clientId, 'banned', '--data-dir', dataDir]);
    expect(banned.stdout).toContain(`${clientId} is now banned`);
  });

  it('listen prints what publish sends, live', async () => {
    const listener = start(['listen', 'content-updates', '--data-dir', dataDir, '--json']);
    try {
      await waitFor(listener.stderr, (t) => t.includes('listening on'));
      const printed = waitFor(listener.stdout, (t) => t.includes('"version"'));
      const published = await run(['publish', 'content-updates', '{"version": 3}', '--data-dir', dataDir]);
      expect(published.stdout).toContain('published on content-updates (webcomm/local/content-updates)');
      expect(JSON.parse(await printed)).toMatchObject({ topic: 'webcomm/local/content-updates', message: { version: 3 } });
    } finally {
      const exited = new Promise((resolve) => listener.on('exit', resolve));
      listener.kill('SIGINT');
      expect(await exited).toBe(0);
    }
  });

  it('fails with a non-zero exit and a message that says what to do', async () => {
    const badJson = await run(['publish', 'chat', 'not json', '--data-dir', dataDir]);
    expect([badJson.code, badJson.stderr]).toEqual([2, expect.stringContaining('must be JSON text')]);
    const unknown = await run(['publish', 'nope', '{}', '--data-dir', dataDir]);
    expect([unknown.code, unknown.stderr]).toEqual([4, expect.stringContaining('UNKNOWN_CHANNEL')]);
    const noServer = await run(['users', '--url', 'http://127.0.0.1:9', '--admin-token', 'x']);
    expect([noServer.code, noServer.stderr]).toEqual([3, expect.stringContaining('is "webcomm serve" running?')]);
    const noDir = await run(['users', '--data-dir', join(dataDir, 'missing')]);
    expect([noDir.code, noDir.stderr]).toEqual([2, expect.stringContaining('start one with "webcomm serve"')]);
    const badStatus = await run(['set-status', 'x', 'frozen', '--data-dir', dataDir]);
    expect(badStatus.code).toBe(2);
    const help = await run(['publish', '--help']);
    expect([help.code, help.stdout]).toEqual([0, expect.stringContaining('Usage: webcomm publish')]);
  }, 90_000); // six CLI processes, each several seconds of tsx start-up on a loaded machine

  it('serve stops cleanly on SIGTERM', async () => {
    const exited = new Promise<number | null>((resolve) => server.on('exit', resolve));
    server.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
