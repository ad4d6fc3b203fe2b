/**
 * The on-disk cache of a registered identity, one directory per service: certificate, key
 * (mode 0600), CA and the registration answer, in a directory only the user can read (0700).
 */
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { type RegistrationResponse } from '@webcomm/core';
import { hideSecrets, validateUrl } from '@webcomm/core/internal'; // internal: hideSecrets, validateUrl

const ANSWER = 'registration.json';
const CERT = 'certificate.pem';
const KEY = 'private-key.pem';
const CA = 'ca.pem';

/** Default cache directory for a service: `~/.webcomm/<host>_<port>`. */
export function defaultCacheDir(serviceUrl: string): string {
  const url = validateUrl(serviceUrl, 'serviceUrl', ['https:', 'http:']);
  return join(homedir(), '.webcomm', `${url.hostname}_${url.port || (url.protocol === 'https:' ? '443' : '80')}`);
}

/** Reads a cached registration, or undefined when there is none (or it is incomplete). Printing it shows no secret. */
export async function readCachedIdentity(dir: string): Promise<RegistrationResponse | undefined> {
  try {
    const answer = JSON.parse(await readFile(join(dir, ANSWER), 'utf8')) as RegistrationResponse;
    if (answer.connectionType !== 'OPENSSL') return hideSecrets(answer);
    const [certificatePem, privateKeyPem, caPem] = await Promise.all(
      [CERT, KEY, CA].map((f) => readFile(join(dir, f), 'utf8')),
    );
    return hideSecrets({ ...answer, certificatePem, privateKeyPem, caPem });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || error instanceof SyntaxError) return undefined;
    throw error;
  }
}

/** Writes a registration: secrets in their own files, the key and token readable by the owner only. */
export async function writeCachedIdentity(dir: string, answer: RegistrationResponse): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  const { certificatePem, privateKeyPem, caPem, ...rest } = answer;
  const secret = async (name: string, text: string): Promise<void> => {
    await writeFile(join(dir, name), text, { mode: 0o600 });
    await chmod(join(dir, name), 0o600);
  };
  if (certificatePem !== undefined) await writeFile(join(dir, CERT), certificatePem, { mode: 0o644 });
  if (caPem !== undefined) await writeFile(join(dir, CA), caPem, { mode: 0o644 });
  if (privateKeyPem !== undefined) await secret(KEY, privateKeyPem);
  // The answer holds the service token: owner-only too.
  await secret(ANSWER, `${JSON.stringify(rest, null, 2)}\n`);
}

/** Forgets a cached identity (before re-registering). */
export async function clearCachedIdentity(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/** Paths of the cached files, e.g. for a tool that wants the certificate on disk. */
export function cachedIdentityFiles(dir: string): {
  certificate: string;
  privateKey: string;
  ca: string;
  registration: string;
} {
  return {
    certificate: join(dir, CERT),
    privateKey: join(dir, KEY),
    ca: join(dir, CA),
    registration: join(dir, ANSWER),
  };
}
