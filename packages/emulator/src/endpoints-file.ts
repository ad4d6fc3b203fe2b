/**
 * `<dataDir>/endpoints.json`: where a running emulator listens, so the `webcomm` CLI finds an
 * emulator started by `webcomm serve` or from code (`startEmulator({ dataDir })`) alike. Written
 * at start (mode 0600: it holds the backend credentials of the IoT data plane), removed on stop.
 */
import { chmod, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { shownRedacted } from './auth/backend-credentials.js';
import type { SigningCredentials } from './auth/header-signature.js';
import type { EmulatorEndpoints } from './start-emulator.js';

/** File name inside the data directory. */
export const ENDPOINTS_FILE = 'endpoints.json';

/** What the file holds: the emulator's endpoints plus what a tool needs to talk to it. */
export interface EndpointsRecord extends EmulatorEndpoints {
  readonly identityPoolId: string;
  readonly region: string;
  readonly dataDir: string;
  /** The emulator's process, so a tool can tell a file left by a killed process. */
  readonly pid: number;
  /** The IoT data plane's key pair (`endpoints.iotData`), for backends and the CLI. Secret: the file is 0600. */
  readonly backendCredentials: SigningCredentials;
}

/** Writes the record (mode 0600). */
export async function writeEndpointsFile(dataDir: string, record: EndpointsRecord): Promise<void> {
  const path = join(dataDir, ENDPOINTS_FILE);
  // The file is where the secret belongs: write the fields, not the redacted view.
  const written = { ...record, backendCredentials: { ...record.backendCredentials } };
  await writeFile(path, `${JSON.stringify(written, null, 2)}\n`, { mode: 0o600 });
  await chmod(path, 0o600);
}

/** Reads the record, or undefined when there is none; its backend secret prints as `[REDACTED]`. */
export async function readEndpointsFile(dataDir: string): Promise<EndpointsRecord | undefined> {
  let record: EndpointsRecord;
  try {
    record = JSON.parse(await readFile(join(dataDir, ENDPOINTS_FILE), 'utf8')) as EndpointsRecord;
  } catch {
    return undefined;
  }
  const credentials = record.backendCredentials as SigningCredentials | undefined;
  if (credentials === undefined) return record;
  return { ...record, backendCredentials: shownRedacted(credentials) };
}

/** Removes the record if this process wrote it (another emulator may have started on the directory since). */
export async function removeEndpointsFile(dataDir: string): Promise<void> {
  const record = await readEndpointsFile(dataDir);
  if (record === undefined || record.pid === process.pid) await rm(join(dataDir, ENDPOINTS_FILE), { force: true });
}
