/**
 * A dedicated game server that learns about new content the moment it is published: it
 * registers with the Web Communicator service once (the certificate is cached on disk and reused),
 * connects over mutual TLS, and reacts to each content update. Certificates come from the
 * operator: the first start passes the admin token (or the cache directory was filled beforehand
 * with `webcomm register-client --out <cacheDir>`); later starts need nothing.
 *
 * Run it against a running emulator:
 * `WEBCOMM_ADMIN_TOKEN=$(cat .webcomm-data/admin-token) pnpm tsx examples/dedicated-server/main.ts http://127.0.0.1:PORT`
 */
import { createNodeClient, ContentWatcher, type NodeClient } from '@webcomm/node';

/** A content update as the service publishes it on `content-updates`. */
export interface ContentUpdate {
  readonly version: number;
  readonly url?: string;
}

/** Options of {@link main}. */
export interface DedicatedServerOptions {
  /** The service's base URL (the emulator's `endpoints.http`). */
  readonly serviceUrl: string;
  /** Where the identity is cached. @default ~/.webcomm/<host>_<port> */
  readonly cacheDir?: string;
  /** The operator's admin token, for the first registration (secret). @default process.env.WEBCOMM_ADMIN_TOKEN */
  readonly adminToken?: string;
  /** Called for every new content version (the "reaction"). @default prints it */
  readonly onContent?: (update: ContentUpdate) => void;
  /** Where status lines go. @default console.log */
  readonly log?: (line: string) => void;
}

/** Starts the server's push link; resolves once it is connected and subscribed. */
export async function main(options: DedicatedServerOptions): Promise<NodeClient> {
  const log = options.log ?? console.log;
  const adminToken = options.adminToken ?? (process.env.WEBCOMM_ADMIN_TOKEN || undefined);
  const client = await createNodeClient({
    serviceUrl: options.serviceUrl,
    ...(options.cacheDir ? { cacheDir: options.cacheDir } : {}),
    ...(adminToken === undefined ? {} : { adminToken }),
  });
  log(
    `dedicated server: identity ${client.registration.clientId} (${client.fromCache ? 'from cache' : 'newly registered'})`,
  );
  client.on('state', ({ from, to, reason }) => log(`dedicated server: ${from} → ${to} (${reason})`));
  client.on('error', (error) => log(`dedicated server: ${error.code}: ${error.message}`));
  // Follows the content channel by version: after a restart or a dropped link it catches up to
  // the latest (the service keeps it retained) and never reacts twice to the same version.
  const content = new ContentWatcher<unknown>(client, { channel: 'content-updates' });
  content.on('contentChanged', ({ to, missed, update }) => {
    const where = update.url ? ` at ${update.url}` : '';
    log(
      `dedicated server: new content v${to}${where}${missed > 0 ? ` (${missed} missed while away)` : ''}: reloading levels`,
    );
    options.onContent?.({ version: to, ...(update.url === undefined ? {} : { url: update.url }) });
  });
  content.on('error', (error) => log(`dedicated server: ignored a bad content update: ${error.message}`));
  await client.connect();
  await content.start();
  return client;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const serviceUrl = process.argv[2];
  if (serviceUrl === undefined) {
    console.error('usage: tsx examples/dedicated-server/main.ts <service url, e.g. http://127.0.0.1:8080>');
    process.exit(2);
  }
  const client = await main({ serviceUrl });
  process.once('SIGINT', () => void client.close());
}
