/**
 * File-system failures on the identity cache as the option they come from. A `cacheDir` that is
 * a file, under /proc, or not writable fails deep inside `mkdir` or `open`; the user should read
 * which option to change and which path was refused, not `EEXIST: mkdir '/etc/hostname'`.
 */
import { ERROR_CODES, WebcommError } from '@webcomm/core';

const REASONS: Readonly<Record<string, string>> = {
  EEXIST: 'a file is there where a directory must be',
  ENOTDIR: 'a file is there where a directory must be',
  EISDIR: 'a directory is there where a file must be',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'the file system is read-only',
  ENOENT: 'it cannot be created there',
  ENOSPC: 'the disk is full',
};

/** `error` as an `INVALID_OPTION` naming `cacheDir` and `dir`, when it is a Node file-system error; else `error`. */
export function cacheDirError(error: unknown, dir: string, doing: string): unknown {
  const errno = error as NodeJS.ErrnoException | undefined;
  if (typeof errno?.code !== 'string' || typeof errno.syscall !== 'string') return error;
  const reason = REASONS[errno.code] ?? errno.code;
  const where = errno.path !== undefined && errno.path !== dir ? ` (${errno.syscall} ${errno.path})` : '';
  return new WebcommError(
    ERROR_CODES.INVALID_OPTION,
    `Option "cacheDir": cannot ${doing} ${dir}: ${reason}${where} [${errno.code}]. ` +
      'Pass a directory this process may create and write (it holds the identity, mode 0700), ' +
      'or leave cacheDir unset for ~/.webcomm/<host>_<port>.',
    { cause: error, fatal: true },
  );
}

/** Runs `work` on the cache in `dir`, turning its file-system failures into {@link cacheDirError}. */
export async function onCacheDir<T>(dir: string, doing: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw cacheDirError(error, dir, doing);
  }
}
