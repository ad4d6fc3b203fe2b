/**
 * A `cacheDir` the process cannot use is a typed error naming the option and the path (it was a
 * raw `EEXIST: mkdir '/etc/hostname'`), and a cached certificate that cannot be read is logged,
 * with the reason, before the client registers again under the same id.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger, startEmulator } from '@webcomm/emulator';
import { cachedIdentityFiles, createNodeClient, ERROR_CODES, WebcommError, type Logger } from '@webcomm/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let scratch = '';
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'webcomm-cache-dir-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

// Nothing listens on port 9: every case fails on the cache, before any request.
const refusal = async (cacheDir: string): Promise<WebcommError> => {
  const error = await createNodeClient({ serviceUrl: 'http://127.0.0.1:9', cacheDir }).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(WebcommError);
  return error as WebcommError;
};

describe('a cacheDir that cannot hold the identity', () => {
  it.each([
    ['is a file', (file: string) => file, 'a file is there where a directory must be', 'ENOTDIR'],
    ['is under a file', (file: string) => join(file, 'identity'), 'a file is there where a directory must be', 'E'],
    ['is where nothing can be created (/proc)', () => '/proc/webcomm-identity', 'it cannot be created there', 'ENOENT'],
  ])('%s: INVALID_OPTION naming cacheDir and the path', async (_case, cacheDirFor, reason, errno) => {
    const file = join(scratch, `file-${Math.random().toString(36).slice(2)}`);
    await writeFile(file, 'not a directory');
    const cacheDir = cacheDirFor(file);
    const error = await refusal(cacheDir);
    expect(error.code).toBe(ERROR_CODES.INVALID_OPTION);
    expect(error.fatal).toBe(true);
    expect(error.message).toContain(`Option "cacheDir": cannot`);
    expect(error.message).toContain(cacheDir);
    expect(error.message).toContain(reason);
    expect((error.cause as NodeJS.ErrnoException).code).toMatch(new RegExp(`^${errno}`));
  });
});

describe('a cached certificate that cannot be read', () => {
  it('is logged with the reason, then the client registers again under the same client id', async () => {
    const dataDir = join(scratch, 'emulator');
    const cacheDir = join(scratch, 'identity');
    const emulator = await startEmulator({ dataDir, logger: silentLogger });
    try {
      const options = { serviceUrl: emulator.endpoints.http, adminToken: emulator.adminToken, cacheDir };
      const first = await createNodeClient(options);
      const { clientId } = first.registration;
      await first.close();
      await writeFile(cachedIdentityFiles(cacheDir).certificate, '-----BEGIN CERTIFICATE-----\nbroken\n');

      const warnings: string[] = [];
      const ignore = (): void => undefined;
      const logger: Logger = {
        debug: ignore,
        info: ignore,
        warn: (message) => void warnings.push(message),
        error: ignore,
      };
      const second = await createNodeClient({ ...options, logger });
      try {
        expect(second.fromCache).toBe(false);
        expect(second.registration.clientId).toBe(clientId);
        expect(warnings).toEqual([
          expect.stringMatching(
            new RegExp(
              `^The cached certificate in ${cacheDir} cannot be read \\(.+\\): registering again under client id ${clientId}\\.$`,
            ),
          ),
        ]);
        await second.connect();
      } finally {
        await second.close();
      }
    } finally {
      await emulator.stop();
    }
  });
});
