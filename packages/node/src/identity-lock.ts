/**
 * One process per cached identity. Two dedicated servers on one host reading the same
 * `~/.webcomm/<host>_<port>` connect with one client ID and take each other over forever, so
 * the process using a cached identity holds a lock file beside it (`<dir>.lock`, created with
 * O_EXCL, holding its pid). A lock whose pid is dead (a crash, `kill -9`) is stale and taken
 * over; a lock is released by `release()` and, failing that, when the process exits.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, unlinkSync } from 'node:fs';
import { mkdir, open, readFile, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname } from 'node:path';

/** A held lock on one identity directory. */
export interface IdentityLock {
  /** The identity directory this lock guards. */
  readonly dir: string;
  /** The lock file (`<dir>.lock`). */
  readonly file: string;
  /** Deletes the lock file (if it is still ours). Safe to call more than once. */
  release(): Promise<void>;
}

/** Who holds a lock we could not take. */
export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  readonly file: string;
}

interface LockFileContent {
  readonly pid: number;
  readonly host: string;
  readonly token: string;
  readonly since: string;
}

/** Tokens of the locks this process holds, with their files, for the exit handler. */
const held = new Map<string, string>();
let exitHandlerInstalled = false;

function releaseAllSync(): void {
  for (const [token, file] of held) {
    try {
      if ((JSON.parse(readFileSync(file, 'utf8')) as LockFileContent).token === token) unlinkSync(file);
    } catch {
      // Gone already, or unreadable: nothing of ours to remove.
    }
  }
  held.clear();
}

async function readHolder(file: string): Promise<LockFileContent | undefined> {
  try {
    const content = JSON.parse(await readFile(file, 'utf8')) as Partial<LockFileContent>;
    if (typeof content.pid === 'number' && typeof content.token === 'string' && typeof content.host === 'string')
      return content as LockFileContent;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
  }
  // Unreadable or half-written (another process is writing it right now): treat as held by
  // pid 0 ("unknown"), unless it is old enough to be a leftover.
  const age = await stat(file).then(
    (s) => Date.now() - s.mtimeMs,
    () => Infinity,
  );
  return { pid: age > 10_000 ? -1 : 0, host: hostname(), token: '', since: '' };
}

function alive(pid: number): boolean {
  if (pid === 0) return true;
  if (pid < 0) return false;
  try {
    process.kill(pid, 0); // signal 0: only checks that the process exists
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by another user
  }
}

/** True when `holder` no longer holds the lock: its process is gone. */
function stale(holder: LockFileContent): boolean {
  // A pid on another host (a cache on a shared file system) cannot be checked: assume alive.
  if (holder.host !== hostname()) return false;
  // Our own pid: held by this process if we know its token, else left by an earlier process
  // that had the same pid (containers restart as pid 1).
  if (holder.pid === process.pid) return !held.has(holder.token);
  return !alive(holder.pid);
}

async function createExclusive(file: string, content: string): Promise<boolean> {
  try {
    const handle = await open(file, 'wx', 0o600);
    try {
      await handle.writeFile(content);
    } finally {
      await handle.close();
    }
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

/**
 * Removes a stale lock, guarded by a second O_EXCL file so that two processes that both found
 * it stale cannot delete a lock the first of them has just taken. Returns false when another
 * process is reclaiming it right now.
 */
async function reap(file: string, judged: LockFileContent): Promise<boolean> {
  const guard = `${file}.reap`;
  if (!(await createExclusive(guard, String(process.pid)))) {
    const age = await stat(guard).then(
      (s) => Date.now() - s.mtimeMs,
      () => 0,
    );
    if (age > 10_000) await unlink(guard).catch(() => undefined); // a reaper that died mid-way
    return false;
  }
  try {
    const now = await readHolder(file);
    if (now !== undefined && now.token === judged.token && now.pid === judged.pid)
      await unlink(file).catch(() => undefined);
    return true;
  } finally {
    await unlink(guard).catch(() => undefined);
  }
}

/**
 * Takes the lock of identity directory `dir`, or reports who holds it. Creates the parent
 * directory (0700) if needed.
 */
export async function lockIdentity(
  dir: string,
): Promise<{ readonly lock: IdentityLock } | { readonly heldBy: LockHolder }> {
  await mkdir(dirname(dir), { recursive: true, mode: 0o700 });
  const file = `${dir}.lock`;
  const token = randomUUID();
  const content = JSON.stringify({
    pid: process.pid,
    host: hostname(),
    token,
    since: new Date().toISOString(),
  } satisfies LockFileContent);
  for (let tries = 0; tries < 3; tries += 1) {
    if (await createExclusive(file, content)) {
      held.set(token, file);
      if (!exitHandlerInstalled) {
        exitHandlerInstalled = true;
        process.on('exit', releaseAllSync);
      }
      let released = false;
      const release = async (): Promise<void> => {
        if (released) return;
        released = true;
        held.delete(token);
        const holder = await readHolder(file);
        if (holder?.token === token) await unlink(file).catch(() => undefined);
      };
      return { lock: { dir, file, release } };
    }
    const holder = await readHolder(file);
    if (holder === undefined) continue; // released meanwhile: try again
    if (!stale(holder) || !(await reap(file, holder))) return { heldBy: { pid: holder.pid, host: holder.host, file } };
  }
  const holder = await readHolder(file);
  return { heldBy: { pid: holder?.pid ?? 0, host: holder?.host ?? hostname(), file } };
}
