/**
 * QoS 1 is at-least-once, and the client drops only provable resends (issue #25, items 2 and 3),
 * against a scripted broker over real TCP that does exactly what some brokers in the field do:
 *
 * - numbers packet ids afresh on every link of a kept session (the first delivery of each link
 *   is id 1), so a genuinely new message can equal the previous link's in id, topic and payload:
 *   it must be delivered (it was dropped as a "redelivery");
 * - resends an unacknowledged message with DUP but a *new* packet id: delivered once when it
 *   carries a `webcomm-message-id` stamp, and (documented) possibly twice when it does not.
 */
import { leanEngine, MESSAGE_ID_PROPERTY, WebcommClient, type MqttEngine } from '@webcomm/core';
import { mqttJsEngine } from '@webcomm/core/mqttjs';
import { afterEach, describe, expect, it } from 'vitest';
import { startScriptedServer, type Script, type ScriptedServer } from '../helpers/scripted-mqtt5-server.js';
import { tcpTransport } from '../helpers/tcp-transport.js';

const ENGINES: Record<string, MqttEngine> = { 'mqtt.js': mqttJsEngine, lean: leanEngine };
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const publish = (
  messageId: number,
  text: string,
  extra: { dup?: boolean; stamp?: string } = {},
): Record<string, unknown> => ({
  cmd: 'publish',
  topic: 'feed',
  payload: Buffer.from(text),
  qos: 1,
  retain: false,
  dup: extra.dup ?? false,
  messageId,
  ...(extra.stamp === undefined ? {} : { properties: { userProperties: { [MESSAGE_ID_PROPERTY]: extra.stamp } } }),
});

/**
 * A client on a kept session whose handler records every payload; `sentinel` resolves once a
 * message with that payload was handled (QoS 1 keeps order per topic: everything sent before
 * it on the link has been delivered or dropped by then).
 */
async function clientOn(server: ScriptedServer, engine: MqttEngine, protocolVersion: 4 | 5) {
  const client = new WebcommClient({
    transport: tcpTransport(server.port),
    clientId: 'kept',
    clean: false,
    protocolVersion,
    engine,
    backoff: { initialDelayMs: 10, maxDelayMs: 20 },
  });
  cleanups.push(() => client.close());
  const got: string[] = [];
  const waiting = new Map<string, () => void>();
  await client.subscribe(
    'feed',
    (_value, meta) => {
      const text = new TextDecoder().decode(meta.payload);
      got.push(text);
      waiting.get(text)?.();
    },
    { qos: 1, decode: 'raw' },
  );
  const sentinel = (text: string): Promise<void> => new Promise((resolve) => waiting.set(text, resolve));
  return { client, got, sentinel };
}

async function scripted(script: Script): Promise<ScriptedServer> {
  const server = await startScriptedServer(script);
  cleanups.push(() => server.stop());
  return server;
}

for (const [name, engine] of Object.entries(ENGINES)) {
  describe(`${name} engine`, () => {
    it('packet ids numbered afresh on each link of a kept session: every new message is delivered', async () => {
      // Each link delivers "same" as id 1 right behind CONNACK, then a sentinel as id 2.
      const server = await scripted({
        protocolVersion: 4,
        sessionPresent: (n) => n > 1,
        behindConnack: (link) => [publish(1, 'same'), publish(2, `end-${link.number}`)],
      });
      const { client, got, sentinel } = await clientOn(server, engine, 4);
      const first = sentinel('end-1');
      await client.connect();
      await first;
      for (const n of [2, 3]) {
        const next = sentinel(`end-${n}`);
        const connected = new Promise((resolve) => client.once('connected', resolve));
        client.renewLink();
        await Promise.all([next, connected]);
      }
      expect(got).toEqual(['same', 'end-1', 'same', 'end-2', 'same', 'end-3']);
    });

    it('a DUP resend under a new packet id is delivered once when stamped, and may repeat when not', async () => {
      // Link 1 delivers both messages and closes before any PUBACK can count (the server ignores
      // them); link 2 resends both with DUP under new ids, as some brokers do.
      const server = await scripted({
        protocolVersion: 5,
        sessionPresent: (n) => n > 1,
        behindConnack: (link) =>
          link.number === 1
            ? [publish(1, 'stamped', { stamp: 'msg-1' }), publish(2, 'plain'), publish(3, 'end-1')]
            : [
                publish(7, 'stamped', { dup: true, stamp: 'msg-1' }),
                publish(8, 'plain', { dup: true }),
                publish(9, 'end-2'),
              ],
      });
      const { client, got, sentinel } = await clientOn(server, engine, 5);
      const first = sentinel('end-1');
      await client.connect();
      await first;
      const second = sentinel('end-2');
      server.links[0]!.destroy();
      await second;
      expect(got.filter((t) => t === 'stamped')).toHaveLength(1);
      // Unstamped, and a new id: nothing proves it is a resend, so it is delivered again.
      expect(got.filter((t) => t === 'plain')).toHaveLength(2);
    });
  });
}
