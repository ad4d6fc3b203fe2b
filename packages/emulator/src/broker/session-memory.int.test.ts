/**
 * Persistent sessions stay bounded, counted: the QoS 1 messages queued for a session are freed
 * when it expires (they stayed forever before: 145 B each), and at most `limits.maxPendingSessions`
 * sessions wait for their clients; beyond it a leaving session ends at once.
 */
import type { MqttClient } from 'mqtt';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { EmulatorFixture } from '../../testing/emulator-fixture.js';
import { startFixture } from '../../testing/emulator-fixture.js';
import { certificateLogin } from '../../testing/certificate-login.js';
import { ManualClock } from '../../testing/manual-clock.js';
import { MemoryUsers } from '../../testing/memory-service.js';
import type { EmulatorOptions } from '../emulator-options.js';

let fixture: EmulatorFixture | undefined;
const clients: MqttClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
  await fixture?.close();
  fixture = undefined;
});

async function start(options: EmulatorOptions): Promise<EmulatorFixture> {
  fixture = await startFixture({ users: new MemoryUsers(), ...options });
  return fixture;
}

/** A persistent-session client of its own private topic; resolves with its CONNACK's session flag. */
async function join(f: EmulatorFixture, clientId: string): Promise<{ client: MqttClient; sessionPresent: boolean }> {
  const login = await certificateLogin(f.emulator, clientId);
  const client = mqtt.connect(login.url, { ...login.options, clean: false, protocolVersion: 4, reconnectPeriod: 0 });
  clients.push(client);
  const sessionPresent = await new Promise<boolean>((resolve, reject) => {
    client.once('connect', (connack) => resolve(connack.sessionPresent));
    client.once('error', reject);
  });
  return { client, sessionPresent };
}

/** Joins, subscribes at QoS 1 and leaves each client; resolves once the emulator saw them all go. */
async function leaveWithSessions(f: EmulatorFixture, ids: string[]): Promise<void> {
  let gone = 0;
  const allGone = new Promise<void>((resolve) => {
    const untap = f.emulator.broker.tap('$aws/events/presence/disconnected/+', () => {
      gone += 1;
      if (gone === ids.length) {
        untap();
        resolve();
      }
    });
  });
  for (const id of ids) {
    const { client } = await join(f, id);
    await client.subscribeAsync(`game/private/${id}`, { qos: 1 });
    await client.endAsync();
  }
  await allGone;
}

async function queued(f: EmulatorFixture, ids: string[]): Promise<number> {
  const counts = await Promise.all(ids.map((id) => f.emulator.broker.queuedMessages(id)));
  return counts.reduce((sum, n) => sum + n, 0);
}

describe('persistent sessions stay bounded', () => {
  it('frees the queued messages of an expired session (20 sessions x 50 messages: 1,000 -> 0)', async () => {
    const clock = new ManualClock();
    const f = await start({ clock, sessionExpiryMs: 60_000 });
    const ids = Array.from({ length: 20 }, (_, i) => `away-${i}`);
    await leaveWithSessions(f, ids);
    for (const id of ids)
      for (let n = 0; n < 50; n += 1)
        await f.emulator.broker.publish(`game/private/${id}`, Buffer.from(`message ${n}`), { qos: 1 });
    expect(await queued(f, ids)).toBe(1_000);
    clock.advance(60_001);
    await vi.waitFor(async () => expect(await queued(f, ids)).toBe(0));
    // And the client finds nothing when it comes back.
    expect((await join(f, 'away-0')).sessionPresent).toBe(false);
  });

  it('keeps at most limits.maxPendingSessions sessions waiting; the next leaving one ends at once', async () => {
    const f = await start({ limits: { maxPendingSessions: 2 } });
    await leaveWithSessions(f, ['first', 'second', 'third']);
    expect((await join(f, 'first')).sessionPresent).toBe(true);
    expect((await join(f, 'third')).sessionPresent).toBe(false);
  });
});
