/**
 * The Python client in examples/python-client, written from docs/protocol.md alone, against a
 * real emulator on port 0: its SigV4 signer reproduces the doc's vectors; it registers as
 * WEBSOCKET, gets Cognito credentials, signs the URL, connects over WebSocket with paho-mqtt,
 * receives a broadcast and a private message published through the admin API, and is dropped
 * (and stops) when the admin API bans it. Debian's /usr/bin/python3 with python3-paho-mqtt.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmulatorUnderTest, type EmulatorUnderTest } from '../helpers/emulator-under-test.js';

const PYTHON = '/usr/bin/python3';
const EXAMPLE = fileURLToPath(new URL('../../examples/python-client/', import.meta.url));

// No __pycache__ in the source tree; unbuffered output, so each event line arrives when printed.
const PYTHON_ENV = { ...process.env, PYTHONDONTWRITEBYTECODE: '1', PYTHONUNBUFFERED: '1' };

type ClientEvent = { event: string } & Record<string, unknown>;

/** The client's stdout as events, with a wait for the next one that matches (deadline, no sleeps). */
function events(child: ChildProcessWithoutNullStreams) {
  const seen: ClientEvent[] = [];
  const waiters: { match: (e: ClientEvent) => boolean; resolve: (e: ClientEvent) => void }[] = [];
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  createInterface({ input: child.stdout }).on('line', (line) => {
    const event = JSON.parse(line) as ClientEvent;
    seen.push(event);
    for (const waiter of waiters.splice(0))
      if (waiter.match(event)) waiter.resolve(event);
      else waiters.push(waiter);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    seen,
    exited,
    next(match: (e: ClientEvent) => boolean, what: string, timeoutMs = 15_000): Promise<ClientEvent> {
      const already = seen.find(match);
      if (already !== undefined) return Promise.resolve(already);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(
              new Error(`no "${what}" from the Python client; events: ${JSON.stringify(seen)}; stderr: ${stderr}`),
            ),
          timeoutMs,
        );
        waiters.push({
          match,
          resolve: (e) => {
            clearTimeout(timer);
            resolve(e);
          },
        });
        void exited.then((code) =>
          reject(
            new Error(
              `the Python client exited (${String(code)}) before "${what}"; events: ${JSON.stringify(seen)}; stderr: ${stderr}`,
            ),
          ),
        );
      });
    },
  };
}

let env: EmulatorUnderTest | undefined;
let child: ChildProcessWithoutNullStreams | undefined;
afterEach(async () => {
  if (child !== undefined && child.exitCode === null) child.kill();
  child = undefined;
  await env?.close();
  env = undefined;
});

describe('a Python client written from docs/protocol.md', () => {
  it("signs the doc's SigV4 vectors", () => {
    const run = spawnSync(PYTHON, ['selftest.py'], { cwd: EXAMPLE, encoding: 'utf8', env: PYTHON_ENV });
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/^ok iot-core-endpoint$/m);
    expect(run.status).toBe(0);
  });

  it('registers, connects over the SigV4 WebSocket, receives a broadcast and a private message, and is dropped when banned', async () => {
    env = await startEmulatorUnderTest();
    const { emulator } = env;
    const admin = (method: string, path: string, body: unknown): Promise<Response> =>
      fetch(`${emulator.endpoints.http}${path}`, {
        method,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${emulator.adminToken}` },
        body: JSON.stringify(body),
      });

    child = spawn(PYTHON, ['demo.py', '--service', emulator.endpoints.http, '--timeout', '60'], {
      cwd: EXAMPLE,
      env: PYTHON_ENV,
    });
    const client = events(child);
    const registered = await client.next((e) => e.event === 'registered', 'registered');
    const clientId = registered.clientId as string;
    expect(clientId).toMatch(/^local-1:/);
    const subscribed = await client.next((e) => e.event === 'subscribed', 'subscribed');
    expect(subscribed.granted).toEqual([1, 1, 1, 1, 1]);
    expect(emulator.broker.connections().find((c) => c.clientId === clientId)).toMatchObject({
      transport: 'ws',
      principalId: clientId,
      keepalive: 30,
    });

    expect(
      (await admin('POST', '/admin/publish', { channel: 'announcements', message: { text: 'hello, everyone' } }))
        .status,
    ).toBe(200);
    const broadcast = await client.next(
      (e) => e.event === 'message' && e.channel === 'announcements',
      'broadcast message',
    );
    expect(broadcast.message).toEqual({ text: 'hello, everyone' });

    expect(
      (await admin('POST', '/admin/publish', { channel: 'private', clientId, message: { text: 'hello, you' } })).status,
    ).toBe(200);
    const direct = await client.next((e) => e.event === 'message' && e.channel === 'private', 'private message');
    expect(direct.message).toEqual({ text: 'hello, you' });
    expect(direct.topic).toBe(`webcomm/local/private/client/${clientId}`);

    const ban = await admin('PUT', `/admin/users/${encodeURIComponent(clientId)}/status`, { status: 'banned' });
    expect(await ban.json()).toMatchObject({ disconnected: 1 });
    await client.next((e) => e.event === 'dropped', 'dropped');
    await client.next((e) => e.event === 'banned', 'banned');
    expect(await client.exited).toBe(0);
    expect(emulator.broker.connections().some((c) => c.clientId === clientId)).toBe(false);
    // Dropped while connected, then told it is banned: no reconnect attempt in between.
    expect(client.seen.map((e) => e.event).slice(-2)).toEqual(['dropped', 'banned']);
  }, 60_000);
});
