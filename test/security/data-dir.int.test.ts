/**
 * Issue 13, item 7: the data directory is private. After a run that creates every kind of
 * state (users, service tokens, a certificate, Cognito credentials), the directory and each
 * folder in it are 0700 and each file 0600, LevelDB's included, also when the folders existed
 * with wider modes; no file holds a session token or secret key in clear; `webcomm
 * register-client` writes 0600 into an existing folder.
 */
import { spawn } from 'node:child_process';
import { chmod, lstat, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ERROR_CODES } from '@webcomm/core';
import { silentLogger, startEmulator, type RunningEmulator } from '@webcomm/emulator';
import { afterEach, describe, expect, it } from 'vitest';
import { presignMqttUrl } from '../../packages/emulator/testing/presign.js';
import {
  certificateOptions,
  guestCredentials,
  mqttConnect,
  registerWebSocketClient,
} from '../helpers/emulator-under-test.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});
async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

/** Every path under `dir` (itself included) with its permission bits, symlinks skipped. */
async function modes(dir: string): Promise<Map<string, { mode: number; directory: boolean }>> {
  const found = new Map<string, { mode: number; directory: boolean }>();
  const walk = async (path: string): Promise<void> => {
    const stats = await lstat(path);
    if (stats.isSymbolicLink()) return;
    found.set(path, { mode: stats.mode & 0o777, directory: stats.isDirectory() });
    if (stats.isDirectory()) for (const entry of await readdir(path)) await walk(join(path, entry));
  };
  await walk(dir);
  return found;
}

async function expectPrivate(dir: string): Promise<number> {
  const found = await modes(dir);
  const wrong = [...found]
    .filter(([, { mode, directory }]) => mode !== (directory ? 0o700 : 0o600))
    .map(([path, { mode }]) => `${path} ${mode.toString(8)}`);
  expect(wrong).toEqual([]);
  return found.size;
}

async function everyFileText(dir: string): Promise<string> {
  let text = '';
  for (const [path, { directory }] of await modes(dir))
    if (!directory) text += (await readFile(path)).toString('latin1');
  return text;
}

/** A run that leaves every kind of state: a user and service token, a certificate, Cognito credentials used over SigV4. */
const DEVELOPER_LOGIN_TOKEN = 'dev-login-token-7f3a9c';

interface Guest {
  readonly identityId: string;
  readonly credentials: { accessKeyId: string; secretAccessKey: string; sessionToken: string };
}

async function connectAsGuest(emulator: RunningEmulator, guest: Guest): Promise<void> {
  const url = await presignMqttUrl(emulator.endpoints.ws, guest.credentials, {
    region: emulator.region,
    tokenMode: 'appended',
  });
  (await mqttConnect(url, { clientId: guest.identityId })).end(true);
}

async function exercise(emulator: RunningEmulator): Promise<Guest> {
  await registerWebSocketClient(emulator);
  (await mqttConnect(emulator.endpoints.mqtts, await certificateOptions(emulator, 'device-1'))).end(true);
  const guest = await guestCredentials(emulator);
  await connectAsGuest(emulator, guest);
  // A developer login: its token must not be kept in clear either.
  const login = await fetch(emulator.endpoints.cognito, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSCognitoIdentityService.GetId' },
    body: JSON.stringify({
      IdentityPoolId: emulator.identityPoolId,
      Logins: { 'login.game.example': DEVELOPER_LOGIN_TOKEN },
    }),
  });
  expect(login.status).toBe(200);
  return guest;
}

describe('the data directory', () => {
  it('is 0700 with every file 0600 after a run, and holds no usable Cognito secret', async () => {
    const dataDir = join(await tempDir('webcomm-data-'), 'fresh');
    const emulator = await startEmulator({ dataDir, logger: silentLogger });
    const { credentials } = await exercise(emulator);
    // While running too: LevelDB's files exist by now.
    await expectPrivate(dataDir);
    await emulator.stop();
    expect(await expectPrivate(dataDir)).toBeGreaterThan(20);
    const text = await everyFileText(dataDir);
    expect(text.includes(credentials.sessionToken)).toBe(false);
    expect(text.includes(credentials.secretAccessKey)).toBe(false);
    expect(text.includes(DEVELOPER_LOGIN_TOKEN)).toBe(false);
  });

  it('narrows folders and files an earlier version left with wider modes', async () => {
    const dataDir = await tempDir('webcomm-data-');
    await chmod(dataDir, 0o755);
    await mkdir(join(dataDir, 'broker-state'), { mode: 0o755 });
    await mkdir(join(dataDir, 'ca'), { mode: 0o755 });
    await writeFile(
      join(dataDir, 'channels.json'),
      JSON.stringify({ project: 'game', deployment: 'dev', channels: [{ name: 'news', type: 'broadcast' }] }),
      { mode: 0o644 },
    );
    await chmod(join(dataDir, 'channels.json'), 0o644);
    const first = await startEmulator({ dataDir, logger: silentLogger });
    const guest = await exercise(first);
    await first.stop();
    for (const name of ['admin-token', 'credential-key', 'ca/ca.key.pem']) await chmod(join(dataDir, name), 0o644);
    await chmod(join(dataDir, 'users'), 0o755);
    const second = await startEmulator({ dataDir, logger: silentLogger });
    await expectPrivate(dataDir);
    // The first run's credentials still verify: their secret key is derived, not stored.
    await connectAsGuest(second, guest);
    await exercise(second);
    await second.stop();
    await expectPrivate(dataDir);
  });

  it('refuses a data directory that is a project folder instead of making it private', async () => {
    const project = await tempDir('webcomm-project-');
    await writeFile(join(project, 'package.json'), '{}', { mode: 0o644 });
    await chmod(project, 0o755);
    await expect(startEmulator({ dataDir: project, logger: silentLogger })).rejects.toMatchObject({
      code: ERROR_CODES.INVALID_OPTION,
      message: expect.stringContaining('package.json') as unknown,
    });
    expect((await stat(join(project, 'package.json'))).mode & 0o777).toBe(0o644);
    expect((await stat(project)).mode & 0o777).toBe(0o755);
  });
});

describe('webcomm register-client', () => {
  it('writes every file 0600 into an existing folder, over files that were 0644', async () => {
    const dataDir = join(await tempDir('webcomm-data-'), 'd');
    const emulator = await startEmulator({ dataDir, logger: silentLogger });
    try {
      const out = await tempDir('webcomm-out-');
      await chmod(out, 0o755);
      for (const name of ['private-key.pem', 'certificate.pem', 'registration.json'])
        await writeFile(join(out, name), 'old', { mode: 0o644 });
      const cli = fileURLToPath(new URL('../../packages/emulator/src/cli/main.ts', import.meta.url));
      const code = await new Promise<number | null>((resolve) => {
        const child = spawn(
          process.execPath,
          [
            '--import',
            'tsx',
            cli,
            'register-client',
            '--url',
            emulator.endpoints.http,
            '--admin-token',
            emulator.adminToken,
            '--out',
            out,
          ],
          {
            env: { ...process.env, WEBCOMM_URL: '', WEBCOMM_ADMIN_TOKEN: '' },
            stdio: 'ignore',
          },
        );
        child.on('close', resolve);
      });
      expect(code).toBe(0);
      const files = (await readdir(out)).sort();
      expect(files).toEqual(['ca.pem', 'certificate.pem', 'private-key.pem', 'registration.json']);
      for (const name of files) expect([name, (await stat(join(out, name))).mode & 0o777]).toEqual([name, 0o600]);
      expect(await readFile(join(out, 'private-key.pem'), 'utf8')).toContain('PRIVATE KEY');
    } finally {
      await emulator.stop();
    }
  }, 60_000);
});
