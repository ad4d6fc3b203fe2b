/**
 * The main job in one command (`pnpm demo`): start the local Web Communicator emulator, start a
 * dedicated server that registers and subscribes, publish "new content is available" as the
 * service's admin would, and show the server receiving it. Then stop everything.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger, startEmulator } from '@webcomm/emulator';
import { main as startDedicatedServer, type ContentUpdate } from '../dedicated-server/main.js';

/** Options of {@link main}. */
export interface DemoOptions {
  /** Where lines go. @default console.log */
  readonly log?: (line: string) => void;
  /** How many content updates to publish. @default 3 */
  readonly updates?: number;
}

/** Runs the demo; resolves with the updates the server received, after stopping everything. */
export async function main(options: DemoOptions = {}): Promise<ContentUpdate[]> {
  const log = options.log ?? console.log;
  const updates = options.updates ?? 3;
  const dataDir = await mkdtemp(join(tmpdir(), 'webcomm-demo-'));
  const emulator = await startEmulator({ dataDir, logger: silentLogger });
  log(
    `emulator: MQTT/TLS ${emulator.endpoints.mqtts}, WebSocket ${emulator.endpoints.ws}, API ${emulator.endpoints.http}`,
  );
  const received: ContentUpdate[] = [];
  let allReceived: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (allReceived = resolve));
  const server = await startDedicatedServer({
    serviceUrl: emulator.endpoints.http,
    cacheDir: join(dataDir, 'server-identity'),
    // The operator registers the server: certificates are not for anyone who asks.
    adminToken: emulator.adminToken,
    log,
    onContent: (update) => {
      received.push(update);
      if (received.length === updates) allReceived();
    },
  });
  try {
    for (let version = 1; version <= updates; version++) {
      const message: ContentUpdate = { version, url: `https://cdn.example.com/content/v${version}.pak` };
      const response = await fetch(`${emulator.endpoints.http}/admin/publish`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${emulator.adminToken}` },
        body: JSON.stringify({ channel: 'content-updates', message }),
      });
      if (!response.ok) throw new Error(`admin publish failed: ${response.status} ${await response.text()}`);
      log(`admin: published content v${version}`);
    }
    await done;
    log(`demo: the dedicated server received ${received.length} of ${updates} content updates`);
    return received;
  } finally {
    await server.close();
    await emulator.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await main();
}
