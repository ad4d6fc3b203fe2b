/**
 * Where the CLI's commands find the emulator: `--url`/`WEBCOMM_URL` and
 * `--admin-token`/`WEBCOMM_ADMIN_TOKEN`, else the files a running emulator keeps in its data
 * directory (`endpoints.json`, written by `webcomm serve` and by `startEmulator({ dataDir })`
 * alike, and `admin-token`).
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { readEndpointsFile } from '../endpoints-file.js';
import { CliError, EXIT } from './cli-error.js';

export { CliError, EXIT } from './cli-error.js';

/** Options every client command takes. */
export interface ConnectionFlags {
  readonly url?: string;
  readonly adminToken?: string;
  readonly dataDir: string;
  readonly json?: boolean;
}

/** The service URL of a running emulator. */
export async function serviceUrl(flags: ConnectionFlags): Promise<string> {
  const url = flags.url ?? (process.env.WEBCOMM_URL || undefined);
  if (url !== undefined) return url;
  const record = await readEndpointsFile(resolve(flags.dataDir));
  if (record === undefined) {
    throw new CliError(
      'NO_EMULATOR',
      `No running emulator found for data directory ${resolve(flags.dataDir)}: start one with "webcomm serve", or pass --data-dir or --url.`,
      EXIT.usage,
    );
  }
  return record.http;
}

/** The admin token (secret). */
export async function adminToken(flags: ConnectionFlags): Promise<string> {
  const token = flags.adminToken ?? (process.env.WEBCOMM_ADMIN_TOKEN || undefined);
  if (token !== undefined) return token;
  try {
    return (await readFile(join(resolve(flags.dataDir), 'admin-token'), 'utf8')).trim();
  } catch {
    throw new CliError(
      'NO_ADMIN_TOKEN',
      "No admin token: pass --admin-token, set WEBCOMM_ADMIN_TOKEN, or point --data-dir at the emulator's data directory.",
      EXIT.usage,
    );
  }
}

/** Calls the service API; throws a {@link CliError} with the service's error code on failure. */
export async function callApi(
  url: string,
  path: string,
  init: { method?: string; token?: string; body?: unknown } = {},
): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(new URL(path, url.endsWith('/') ? url : `${url}/`), {
      method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
      headers: {
        'content-type': 'application/json',
        ...(init.token === undefined ? {} : { authorization: `Bearer ${init.token}` }),
      },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
  } catch (error) {
    throw new CliError(
      'UNREACHABLE',
      `Cannot reach the emulator at ${url} (${describeFetchFailure(error)}): is "webcomm serve" running?`,
      EXIT.unreachable,
    );
  }
  const body = (await response.json().catch(() => ({}))) as { error?: { code: string; message: string } };
  if (!response.ok) {
    const code = body.error?.code ?? `HTTP_${response.status}`;
    throw new CliError(code, `${response.status} ${code}: ${body.error?.message ?? response.statusText}`, EXIT.refused);
  }
  return body;
}

// fetch's own message is "fetch failed"; the reason (ECONNREFUSED …) is in its cause.
function describeFetchFailure(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}
