/**
 * The identity `webcomm listen` connects as. A new registration per run would leave one more
 * permanent user behind each time; instead a run takes the first free slot `webcomm-listen-N`
 * (a lock file `<dataDir>/cli-listeners/N.lock` holding its pid; a dead pid's lock is taken over)
 * and re-registers that id as the operator, which issues a fresh certificate for the same user.
 * So there are as many listener users as listeners ever ran at once, and two listeners never
 * share a client id (IoT Core would drop one for the other: DUPLICATE_CLIENTID).
 */
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { RegistrationResponse } from '@webcomm/core';
import { adminToken, callApi, CliError, EXIT, serviceUrl, type ConnectionFlags } from './cli-context.js';

/** Listener ids are `webcomm-listen-1` … up to this many at once. */
export const MAX_LISTENERS = 32;

/** A registered listener identity, held until {@link ListenerIdentity.release}. */
export interface ListenerIdentity {
  readonly registration: RegistrationResponse;
  /** Frees the slot for the next run. */
  release(): Promise<void>;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes slot `n` if it is free (or its holder died); true when taken. */
async function take(lock: string): Promise<boolean> {
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const file = await open(lock, 'wx', 0o600);
      await file.writeFile(String(process.pid));
      await file.close();
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number((await readFile(lock, 'utf8').catch(() => '')).trim());
      // An empty file is a holder between open and write: busy.
      if (!Number.isInteger(holder) || holder <= 0 || alive(holder)) return false;
      await rm(lock, { force: true });
    }
  }
  return false;
}

/** Registers (or re-registers) a free listener slot's identity, as the operator. */
export async function acquireListenerIdentity(flags: ConnectionFlags): Promise<ListenerIdentity> {
  const url = await serviceUrl(flags);
  const token = await adminToken(flags);
  const dir = join(resolve(flags.dataDir), 'cli-listeners');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  for (let n = 1; n <= MAX_LISTENERS; n += 1) {
    const lock = join(dir, `${n}.lock`);
    if (!(await take(lock))) continue;
    const release = (): Promise<void> => rm(lock, { force: true });
    try {
      const registration = (await callApi(url, 'register', {
        token,
        body: { type: 'OPENSSL', clientId: `webcomm-listen-${n}` },
      })) as RegistrationResponse;
      return { registration, release };
    } catch (error) {
      await release();
      throw error;
    }
  }
  throw new CliError(
    'TOO_MANY_LISTENERS',
    `${MAX_LISTENERS} listeners are running on ${dir}: stop one first.`,
    EXIT.failed,
  );
}
