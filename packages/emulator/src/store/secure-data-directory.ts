/**
 * Keeps the data directory private: the directory and every folder in it 0700, every file
 * 0600, including the LevelDB files (classic-level creates them with the process umask, 0644
 * usually) and folders left by older versions. Symbolic links are left alone (a chmod would
 * follow them out of the directory).
 */
import { chmod, lstat, mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ERROR_CODES, WebcommError } from '@webcomm/core';

/** Signs of a folder that is not the emulator's own (a project, a home directory). */
const FOREIGN = ['.git', 'package.json', 'node_modules', '.ssh'];

/**
 * Creates `dir` when absent and narrows the modes of it and everything in it.
 * @throws WebcommError `WEBCOMM_INVALID_OPTION` when `dir` looks like a project or home folder:
 *   making all of that private would do harm.
 */
export async function secureDataDirectory(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const entries = await readdir(dir);
  const foreign = FOREIGN.find((name) => entries.includes(name));
  if (foreign !== undefined) {
    throw new WebcommError(
      ERROR_CODES.INVALID_OPTION,
      `startEmulator: option "dataDir" (${dir}) holds ${foreign}: the data directory is made private (0700, files 0600), so give the emulator a folder of its own, e.g. ".webcomm-emulator".`,
      { fatal: true },
    );
  }
  await narrow(dir);
}

async function narrow(path: string): Promise<void> {
  const stats = await lstat(path);
  if (stats.isSymbolicLink()) return;
  if (stats.isDirectory()) {
    if ((stats.mode & 0o777) !== 0o700) await chmod(path, 0o700);
    for (const entry of await readdir(path)) await narrow(join(path, entry));
    return;
  }
  if (stats.isFile() && (stats.mode & 0o777) !== 0o600) await chmod(path, 0o600);
}
