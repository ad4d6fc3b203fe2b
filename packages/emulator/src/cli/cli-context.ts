/**
 * Where the CLI's commands find the emulator: `--url`/`WEBCOMM_URL` and
 * `--admin-token`/`WEBCOMM_ADMIN_TOKEN`, else the files `webcomm serve` keeps in the data
 * directory (`endpoints.json`, `admin-token`).
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

/** A failure the CLI reports as one line and a non-zero exit code. */
export class CliError extends Error {
  readonly exitCode: number;

  constructor(message: string, exitCode = 1) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

/** Options every client command takes. */
export interface ConnectionFlags {
  readonly url?: string;
  readonly adminToken?: string;
  readonly dataDir: string;
  readonly json?: boolean;
}

/** The emulator's endpoints as `webcomm serve` records them. */
export interface RecordedEndpoints {
  readonly http: string;
  readonly mqtts: string;
  readonly ws: string;
}

/** The service URL of a running emulator. */
export async function serviceUrl(flags: ConnectionFlags): Promise<string> {
  const url = flags.url ?? (process.env.WEBCOMM_URL || undefined);
  if (url !== undefined) return url;
  try {
    return (JSON.parse(await readFile(join(resolve(flags.dataDir), 'endpoints.json'), 'utf8')) as RecordedEndpoints).http;
  } catch {
    throw new CliError(`No running emulator found for data directory ${resolve(flags.dataDir)}: start one with "webcomm serve", or pass --url.`, 2);
  }
}

/** The admin token (secret). */
export async function adminToken(flags: ConnectionFlags): Promise<string> {
  const token = flags.adminToken ?? (process.env.WEBCOMM_ADMIN_TOKEN || undefined);
  if (token !== undefined) return token;
  try {
    return (await readFile(join(resolve(flags.dataDir), 'admin-token'), 'utf8')).trim();
  } catch {
    throw new CliError(`No admin token: pass --admin-token, set WEBCOMM_ADMIN_TOKEN, or point --data-dir at the emulator's data directory.`, 2);
  }
}

/** Calls the service API; throws a {@link CliError} with the service's error code on failure. */
export async function callApi(url: string, path: string, init: { method?: string; token?: string; body?: unknown } = {}): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(new URL(path, url.endsWith('/') ? url : `${url}/`), {
      method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
      headers: { 'content-type': 'application/json', ...(init.token === undefined ? {} : { authorization: `Bearer ${init.token}` }) },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
  } catch (error) {
    throw new CliError(`Cannot reach the emulator at ${url} (${(error as Error).message}): is "webcomm serve" running?`, 3);
  }
  const body = (await response.json().catch(() => ({}))) as { error?: { code: string; message: string } };
  if (!response.ok) throw new CliError(`${response.status} ${body.error?.code ?? ''}: ${body.error?.message ?? response.statusText}`, 4);
  return body;
}
