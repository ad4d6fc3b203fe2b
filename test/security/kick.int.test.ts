/**
 * Issue 13 item 9: the admin kick, what IoT's DeleteConnection does: a live client is dropped
 * (presence reason `API_INITIATED_DISCONNECT`) without being banned, so it reconnects. Through
 * the API (`DELETE /admin/connections/{clientId}`) and the CLI (`webcomm kick`); the portal's
 * button is tested in Chromium (test/e2e/portal-kick.e2e.test.ts).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createNodeClient, type NodeClient } from '@webcomm/node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nextEvent } from '../helpers/events.js';
import { callApi, startDefaultEmulator, type SecurityEmulator } from '../helpers/security-emulator.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
let running: SecurityEmulator;
let player: NodeClient;
beforeEach(async () => {
  running = await startDefaultEmulator();
  player = await createNodeClient({
    serviceUrl: running.emulator.endpoints.http,
    adminToken: running.emulator.adminToken,
    cacheDir: join(running.emulator.dataDir, 'player'),
    backoff: { initialDelayMs: 50, maxDelayMs: 200 },
  });
  await player.connect();
});
afterEach(async () => {
  await player.close();
  await running.close();
});

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(root, 'packages/emulator/src/cli/main.ts'), ...args],
      { cwd: root, env: { ...process.env, WEBCOMM_URL: '', WEBCOMM_ADMIN_TOKEN: '' } },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('admin kick', () => {
  it('DELETE /admin/connections/{clientId} drops the live client, not banned: it reconnects', async () => {
    const { emulator } = running;
    const clientId = player.registration.clientId;
    const dropped = nextEvent(player, 'state', (change) => change.from === 'connected');
    const back = nextEvent(player, 'state', (change) => change.to === 'connected');
    // The service's view, as on IoT Core: the presence event and its reason.
    const presence = new Promise<unknown>((resolve) => {
      const untap = emulator.broker.tap(`$aws/events/presence/disconnected/${clientId}`, (_topic, payload) => {
        untap();
        resolve(JSON.parse(Buffer.from(payload).toString()));
      });
    });
    const kick = await callApi(emulator, `/admin/connections/${encodeURIComponent(clientId)}`, {
      method: 'DELETE',
      token: emulator.adminToken,
    });
    expect([kick.status, kick.body.disconnected]).toEqual([200, 1]);
    await dropped;
    await back;
    expect(await presence).toMatchObject({
      clientId,
      eventType: 'disconnected',
      disconnectReason: 'API_INITIATED_DISCONNECT',
      clientInitiatedDisconnect: false,
    });
    const users = (await callApi(emulator, '/admin/users', { token: emulator.adminToken })).body.users as {
      id: string;
      status: string;
    }[];
    expect(users.find((user) => user.id === clientId)?.status).toBe('active');
    expect((await callApi(emulator, '/admin/clients', { token: emulator.adminToken })).body.clients).toEqual([
      clientId,
    ]);
  });

  it('needs the admin token, and answers 404 NOT_CONNECTED for a client that is not connected', async () => {
    const { emulator } = running;
    const clientId = player.registration.clientId;
    const anonymous = await callApi(emulator, `/admin/connections/${encodeURIComponent(clientId)}`, {
      method: 'DELETE',
    });
    expect([anonymous.status, anonymous.body.error?.code]).toEqual([401, 'ADMIN_TOKEN_REQUIRED']);
    const unknown = await callApi(emulator, '/admin/connections/nobody', {
      method: 'DELETE',
      token: emulator.adminToken,
    });
    expect([unknown.status, unknown.body.error?.code]).toEqual([404, 'NOT_CONNECTED']);
    expect(player.state).toBe('connected');
  });

  it('webcomm kick <clientId> does the same from the shell', async () => {
    const { emulator } = running;
    const clientId = player.registration.clientId;
    const back = nextEvent(player, 'state', (change) => change.from === 'reconnecting' && change.to === 'connected');
    const kicked = await cli([
      'kick',
      clientId,
      '--url',
      emulator.endpoints.http,
      '--admin-token',
      emulator.adminToken,
    ]);
    expect([kicked.code, kicked.stdout.trim()]).toEqual([
      0,
      expect.stringContaining(`${clientId} disconnected (not banned`),
    ]);
    await back;
    const missing = await cli([
      'kick',
      'nobody',
      '--url',
      emulator.endpoints.http,
      '--admin-token',
      emulator.adminToken,
    ]);
    expect([missing.code, missing.stderr]).toEqual([4, expect.stringContaining('NOT_CONNECTED')]);
  }, 60_000);
});
