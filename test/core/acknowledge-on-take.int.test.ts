/**
 * A QoS 1 message is acknowledged only once the delivery path has taken it (issue #25, item 1).
 * A scripted broker over real TCP records every packet the client sends, so the tests read the
 * PUBACKs off the wire: at the engine seam (no PUBACK until `acknowledge()`, none at all for a
 * message nobody took) and through the client (a link whose session was detached in the middle
 * of a burst acknowledges only what reached the handler).
 */
import { leanEngine, WebcommClient, type EngineMessage, type MqttEngine, type MqttLink } from '@webcomm/core';
import { mqttJsEngine } from '@webcomm/core/mqttjs';
import { ManualClock } from '@webcomm/core/testing';
import { connect, type Socket } from 'node:net';
import type { Packet } from 'mqtt-packet';
import { afterEach, describe, expect, it } from 'vitest';
import { startScriptedServer, type ScriptedServer } from '../helpers/scripted-mqtt5-server.js';
import { tcpTransport } from '../helpers/tcp-transport.js';

const ENGINES: Record<string, MqttEngine> = { 'mqtt.js': mqttJsEngine, lean: leanEngine };
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function scripted(script: Parameters<typeof startScriptedServer>[0]): Promise<ScriptedServer> {
  const server = await startScriptedServer(script);
  cleanups.push(() => server.stop());
  return server;
}

const publish = (messageId: number, n = messageId): Record<string, unknown> => ({
  cmd: 'publish',
  topic: 'feed',
  payload: Buffer.from(`m${n}`),
  qos: 1,
  retain: false,
  dup: false,
  messageId,
});

const pubackIds = (packets: readonly Packet[]): number[] =>
  packets.flatMap((p) => (p.cmd === 'puback' && p.messageId !== undefined ? [p.messageId] : []));

async function openLink(engine: MqttEngine, port: number): Promise<MqttLink> {
  const socket = await new Promise<Socket>((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port, noDelay: true }, () => resolve(s));
    s.once('error', reject);
  });
  const link = engine.open(socket, {
    protocolVersion: 5,
    clientId: 'acker',
    keepaliveSeconds: 0,
    clean: false,
    connectTimeoutMs: 5_000,
    clock: new ManualClock(Date.now()),
  });
  link.on('error', () => undefined);
  cleanups.push(() => link.destroy());
  return link;
}

for (const [name, engine] of Object.entries(ENGINES)) {
  describe(`${name} engine`, () => {
    it('writes no PUBACK until the message is acknowledged, then exactly one', async () => {
      const server = await scripted({ behindConnack: () => [publish(7)] });
      const link = await openLink(engine, server.port);
      const message = await new Promise<EngineMessage>((resolve) => link.on('message', resolve));
      expect(message.messageId).toBe(7);
      // Our writes reach the server in order: a PINGREQ written now would follow any PUBACK.
      link.ping();
      await server.until((p) => p.cmd === 'pingreq');
      expect(pubackIds(server.links[0]!.received)).toEqual([]);

      link.acknowledge(7);
      await server.until((p) => p.cmd === 'puback');
      link.ping();
      await server.until((p, l) => p.cmd === 'pingreq' && l.received.filter((q) => q.cmd === 'pingreq').length === 2);
      expect(pubackIds(server.links[0]!.received)).toEqual([7]);
    });

    it('never acknowledges a message nobody took, so the broker can send it again', async () => {
      const server = await scripted({ behindConnack: () => [publish(1), publish(2), publish(3)] });
      const link = await openLink(engine, server.port);
      // Only the first is taken (and acknowledged); the other two arrive with nobody listening.
      await new Promise<void>((resolve) =>
        link.on('message', (m) => {
          if (m.messageId !== 1) return;
          link.acknowledge(1);
          resolve();
        }),
      );
      await server.until((p) => p.cmd === 'puback');
      link.ping();
      await server.until((p) => p.cmd === 'pingreq');
      link.destroy();
      expect(pubackIds(server.links[0]!.received)).toEqual([1]);
    });
  });

  describe(`client on the ${name} engine`, () => {
    it('a link ended in the middle of a burst acknowledges only what reached the handler', async () => {
      // Five QoS 1 messages in the one write behind SUBACK; the handler ends the client at the first.
      const server = await scripted({
        protocolVersion: 4,
        behindSuback: () => [1, 2, 3, 4, 5].map((id) => publish(id)),
      });
      const client = new WebcommClient({
        transport: tcpTransport(server.port),
        clientId: 'burst',
        clean: false,
        engine,
      });
      cleanups.push(() => client.close());
      const handled: number[] = [];
      let closing: Promise<void> | undefined;
      await client.subscribe(
        'feed',
        (_value, meta) => {
          handled.push(Number(new TextDecoder().decode(meta.payload).slice(1)));
          closing ??= client.close();
        },
        { qos: 1, decode: 'raw' },
      );
      // The burst comes with the SUBACK, so the handler closes the client before connect() resolves.
      await expect(client.connect()).rejects.toMatchObject({ code: 'WEBCOMM_CLOSED' });
      await server.until((p) => p.cmd === 'disconnect');
      // Whatever the client wrote before closing its socket has been read by then.
      await server.links[0]!.closed;
      await closing;
      expect(handled).toEqual([1]);
      const acked = pubackIds(server.links[0]!.received);
      for (const id of acked) expect(handled).toContain(id);
    });
  });
}
