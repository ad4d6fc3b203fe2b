/**
 * An editor plugin (a trusted tool): registers with a certificate, listens for announcements,
 * and publishes to the `tools` channel straight to the broker to tell running game servers to
 * hot-reload what the designer just saved. Direct publish is a grant the operator gives this
 * identity on `tools` when registering it (admin token, or `webcomm register-client --publish
 * tools --out <cacheDir>`); a certificate alone grants nothing.
 *
 * Run it against a running emulator:
 * `WEBCOMM_ADMIN_TOKEN=$(cat .webcomm-data/admin-token) pnpm tsx examples/editor-plugin/main.ts http://127.0.0.1:PORT`
 */
import { createNodeClient, type NodeClient } from '@webcomm/node';

/** What the plugin publishes on `tools`. */
export interface AssetSaved {
  readonly kind: 'asset-saved';
  readonly path: string;
  readonly by: string;
}

/** Options of {@link main}. */
export interface EditorPluginOptions {
  readonly serviceUrl: string;
  /** @default ~/.webcomm/<host>_<port> */
  readonly cacheDir?: string;
  /** The operator's admin token, for the first registration (secret). @default process.env.WEBCOMM_ADMIN_TOKEN */
  readonly adminToken?: string;
  /** @default console.log */
  readonly log?: (line: string) => void;
}

/** The running plugin: call `assetSaved` from the editor's save hook. */
export interface EditorPlugin {
  readonly client: NodeClient;
  assetSaved(path: string): Promise<void>;
  close(): Promise<void>;
}

/** Connects the plugin; resolves once it listens on `announcements`. */
export async function main(options: EditorPluginOptions): Promise<EditorPlugin> {
  const log = options.log ?? console.log;
  const adminToken = options.adminToken ?? (process.env.WEBCOMM_ADMIN_TOKEN || undefined);
  const client = await createNodeClient({
    serviceUrl: options.serviceUrl,
    ...(options.cacheDir ? { cacheDir: options.cacheDir } : {}),
    ...(adminToken === undefined ? {} : { adminToken }),
    publish: { tools: 'broker' }, // opt-in (and, with adminToken, the grant asked for): everything else stays receive-only
  });
  client.on('error', (error) => log(`editor plugin: ${error.code}: ${error.message}`));
  await client.connect();
  await client.subscribe<{ text: string }>('announcements', (message) =>
    log(`editor plugin: announcement: ${message.text}`),
  );
  log(`editor plugin: connected as ${client.registration.clientId}`);
  return {
    client,
    async assetSaved(path) {
      const event: AssetSaved = { kind: 'asset-saved', path, by: client.registration.clientId };
      await client.publish('tools', event, { qos: 1 });
      log(`editor plugin: announced ${path}`);
    },
    close: () => client.close(),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const serviceUrl = process.argv[2];
  if (serviceUrl === undefined) {
    console.error('usage: tsx examples/editor-plugin/main.ts <service url>');
    process.exit(2);
  }
  const plugin = await main({ serviceUrl });
  await plugin.assetSaved('levels/forest.level');
  process.once('SIGINT', () => void plugin.close());
}
