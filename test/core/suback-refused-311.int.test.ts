/**
 * A 3.1.1 broker that refuses one filter with SUBACK 0x8F (an MQTT 5 code some brokers send on
 * 3.1.1) must not leave the client deaf (issue #25, item 4). mqtt-packet's parser rejects 0x8F
 * on 3.1.1 and then stalled: the MQTT.js link stayed "connected" and heard nothing more, and a
 * client whose refused filter was registered before connect() never connected. Now any engine
 * parse error ends the link as a protocol error; the lean engine reads the code as the refusal
 * it is, and on MQTT.js the refusal-by-close rule finds the filter after at most two drops.
 */
import type { WebcommError } from '@webcomm/core';
import { ERROR_CODES, leanEngine, WebcommClient, type MqttEngine } from '@webcomm/core';
import { mqttJsEngine } from '@webcomm/core/mqttjs';
import { ManualClock } from '@webcomm/core/testing';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startScriptedServer } from '../helpers/scripted-mqtt5-server.js';
import { tcpTransport } from '../helpers/tcp-transport.js';

const ENGINES: Record<string, MqttEngine> = { 'mqtt.js': mqttJsEngine, lean: leanEngine };
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

for (const [name, engine] of Object.entries(ENGINES)) {
  describe(`${name} engine, MQTT 3.1.1 broker answering SUBACK 0x8F`, () => {
    it('refuses that filter, connects and keeps receiving on the others', async () => {
      const server = await startScriptedServer({
        protocolVersion: 4,
        subackFor: (filter, qos) => (filter === 'forbidden' ? 0x8f : qos),
      });
      cleanups.push(() => server.stop());
      const client = new WebcommClient({
        transport: tcpTransport(server.port),
        clientId: `suback-${name}`,
        engine,
        backoff: { initialDelayMs: 20, maxDelayMs: 50 },
      });
      cleanups.push(() => client.close());
      const refused = new Promise<WebcommError>((resolve) =>
        client.on('error', (error) => error.code === ERROR_CODES.SUBSCRIBE_REFUSED && resolve(error)),
      );
      const got: string[] = [];
      let allArrived: () => void = () => undefined;
      const arrived = new Promise<void>((resolve) => (allArrived = resolve));
      await client.subscribe(
        'ok',
        (_value, meta) => {
          got.push(new TextDecoder().decode(meta.payload));
          if (got.length === 8) allArrived();
        },
        { qos: 1, decode: 'raw' },
      );
      await client.subscribe('forbidden', () => undefined);
      await client.connect({ timeoutMs: 5_000 });
      expect((await refused).message).toContain('forbidden');

      const link = server.links.at(-1)!;
      link.send(
        ...Array.from({ length: 8 }, (_, i) => ({
          cmd: 'publish',
          topic: 'ok',
          payload: Buffer.from(`m${i}`),
          qos: 1,
          retain: false,
          dup: false,
          messageId: i + 1,
        })),
      );
      await arrived;
      expect(got).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7']);
    });

    it('a malformed packet after CONNACK ends the link with a protocol error, not a deaf link', async () => {
      const server = await startScriptedServer({ protocolVersion: 4 });
      cleanups.push(() => server.stop());
      const socket = await new Promise<Socket>((resolve, reject) => {
        const s = connect({ host: '127.0.0.1', port: server.port, noDelay: true }, () => resolve(s));
        s.once('error', reject);
      });
      const link = engine.open(socket, {
        protocolVersion: 4,
        clientId: `malformed-${name}`,
        keepaliveSeconds: 0,
        clean: true,
        connectTimeoutMs: 5_000,
        clock: new ManualClock(Date.now()),
      });
      cleanups.push(() => link.destroy());
      const errors: unknown[] = [];
      link.on('error', (error) => errors.push(error));
      await new Promise<void>((resolve) => link.on('connack', () => resolve()));
      const closed = new Promise<void>((resolve) => link.on('close', resolve));
      // Packet type 0 is reserved: no broker may send it.
      server.links[0]!.sendRaw(Buffer.from([0x00, 0x00]));
      await closed;
      expect(errors.map((e) => (e as Error).name)).toContain('MqttProtocolError');
    });
  });
}
