/**
 * A link that closes in the same read as its CONNACK (a server DISCONNECT or a malformed packet
 * right behind it) closes before the client's link session listens. The client must still see
 * the close and reconnect; it used to stay "connected" on the dead link until the dead-link
 * timer (1.5 × keepalive), hearing nothing.
 */
import { WebcommClient } from '@webcomm/core';
import { afterEach, expect, it } from 'vitest';
import { startScriptedServer } from '../helpers/scripted-mqtt5-server.js';
import { tcpTransport } from '../helpers/tcp-transport.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

it('a DISCONNECT in the same read as CONNACK: the client notices and reconnects', async () => {
  // The first link gets CONNACK and DISCONNECT 0x8B (server shutting down) in one write.
  const server = await startScriptedServer({
    protocolVersion: 5,
    behindConnack: (link) => (link.number === 1 ? [{ cmd: 'disconnect', reasonCode: 0x8b }] : []),
  });
  cleanups.push(() => server.stop());
  const client = new WebcommClient({
    transport: tcpTransport(server.port),
    clientId: 'short-lived',
    protocolVersion: 5,
    backoff: { initialDelayMs: 10, maxDelayMs: 20 },
  });
  cleanups.push(() => client.close());
  const states: string[] = [];
  client.on('state', (change) => states.push(change.to));
  // connect() resolves on the first link that stays up: the second.
  await client.connect();
  expect(server.connects).toBe(2);
  expect(states).toEqual(['connecting', 'reconnecting', 'connected']);
});
