/**
 * MQTT 5 reason codes that no broker here sends on demand, from a scripted server over real TCP
 * (test/helpers/scripted-mqtt5-server.ts), on both engines: PUBACK 0x97 → THROTTLED and 0x87 →
 * PUBLISH_REFUSED with the link kept; server DISCONNECT 0x97 → THROTTLED with the longer
 * backoff, 0x8B (server shutting down) → NETWORK with an ordinary one, 0x8D (keep alive
 * timeout) → DEAD_LINK.
 */
import { ERROR_CODES, leanEngine, WebcommClient, type MqttEngine, type WebcommError } from '@webcomm/core';
import { mqttJsEngine } from '@webcomm/core/mqttjs';
import { afterEach, describe, expect, it } from 'vitest';
import { nextEvent } from '../helpers/events.js';
import { startScriptedServer, type ScriptedServer } from '../helpers/scripted-mqtt5-server.js';
import { tcpTransport } from '../helpers/tcp-transport.js';

const PUBACK: Record<string, number> = { 't/throttled': 0x97, 't/forbidden': 0x87 };
const BACKOFF = { initialDelayMs: 50, maxDelayMs: 2_000 };

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(engine: MqttEngine): Promise<{ server: ScriptedServer; client: WebcommClient }> {
  const server = await startScriptedServer((topic) => PUBACK[topic] ?? 0);
  cleanups.push(() => server.stop());
  const client = new WebcommClient({
    engine,
    protocolVersion: 5,
    transport: tcpTransport(server.port),
    clientId: 'reason-codes',
    backoff: BACKOFF,
    channels: [
      { name: 'slow', topic: 't/throttled', publish: 'broker' },
      { name: 'locked', topic: 't/forbidden', publish: 'broker' },
      { name: 'ok', topic: 't/ok', publish: 'broker' },
    ],
  });
  cleanups.push(() => client.close());
  return { server, client };
}

const codeOf = (p: Promise<unknown>): Promise<string> =>
  p.then(
    () => 'resolved',
    (e: WebcommError) => e.code,
  );

describe.each([
  ['MQTT.js engine', mqttJsEngine],
  ['lean engine', leanEngine],
] as const)('MQTT 5 reason codes from a scripted server (%s)', (_name, engine) => {
  it('PUBACK 0x97 rejects THROTTLED and 0x87 PUBLISH_REFUSED; the link stays up and the next publish goes through', async () => {
    const { server, client } = await setup(engine);
    await client.connect();
    expect(await codeOf(client.publish('slow', 1, { qos: 1 }))).toBe(ERROR_CODES.THROTTLED);
    expect(await codeOf(client.publish('locked', 1, { qos: 1 }))).toBe(ERROR_CODES.PUBLISH_REFUSED);
    expect(await codeOf(client.publish('ok', 1, { qos: 1 }))).toBe('resolved');
    expect([client.state, server.connects]).toEqual(['connected', 1]);
  });

  it('DISCONNECT 0x97 → THROTTLED, waiting at least half the cap; 0x8B → NETWORK, an ordinary step; 0x8D → DEAD_LINK', async () => {
    const { server, client } = await setup(engine);
    await client.connect();

    const throttled = nextEvent(client, 'reconnecting');
    const dropped = nextEvent(client, 'disconnected');
    server.disconnectAll(0x97, 'quota exceeded');
    const [{ error: quota }] = await dropped;
    const [{ delayMs: afterQuota }] = await throttled;
    expect(quota?.code).toBe(ERROR_CODES.THROTTLED);
    expect(quota?.message).toContain('quota exceeded');
    expect(afterQuota).toBeGreaterThanOrEqual(BACKOFF.maxDelayMs / 2);

    let up = nextEvent(client, 'connected');
    client.retryNow();
    await up;

    const shutdown = nextEvent(client, 'reconnecting');
    server.disconnectAll(0x8b, 'server shutting down');
    const [{ delayMs: afterShutdown, error: going }] = await shutdown;
    expect(going?.code).toBe(ERROR_CODES.NETWORK);
    expect(afterShutdown).toBeLessThan(BACKOFF.maxDelayMs / 2);

    up = nextEvent(client, 'connected');
    client.retryNow();
    await up;

    expect(server.connects).toBe(3);
    const silent = nextEvent(client, 'disconnected');
    server.disconnectAll(0x8d, 'keep alive timeout');
    const [{ reason }] = await silent;
    expect(reason).toBe(ERROR_CODES.DEAD_LINK);
  });
});
