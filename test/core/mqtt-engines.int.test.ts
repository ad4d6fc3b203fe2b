/**
 * Both engines through the `MqttEngine` seam itself (no client on top), over real sockets:
 * a refused CONNACK carries its code, keepalive pings on an idle link and gives up when no
 * PINGRESP comes, garbage from the peer closes the link with an error instead of throwing, and
 * MQTT 5 end to end on mosquitto (SUBACK/PUBACK/UNSUBACK reason codes, user properties, content
 * type and message expiry).
 */
import {
  leanEngine,
  type EngineConnectOptions,
  type EngineMessage,
  type MqttEngine,
  type MqttLink,
} from '@webcomm/core';
import { mqttJsEngine } from '@webcomm/core/mqttjs';
import { systemClock } from '@webcomm/core/internal';
import { ManualClock } from '@webcomm/core/testing';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type TestBroker } from '../helpers/broker.js';
import { startMosquitto, type TestMosquitto } from '../helpers/mosquitto.js';
import { startTcpProxy } from '../helpers/tcp-proxy.js';

const ENGINES: Record<string, MqttEngine> = { 'mqtt.js': mqttJsEngine, lean: leanEngine };
let aedes: TestBroker;
let mosquitto: TestMosquitto;
const cleanups: (() => Promise<void> | void)[] = [];
beforeAll(async () => {
  aedes = await startBroker({
    authenticate: (_client, username, _password, done) =>
      username === 'wrong'
        ? done(Object.assign(new Error('bad credentials'), { returnCode: 4 }), false)
        : done(null, true),
  });
  mosquitto = await startMosquitto({ acl: 'topic readwrite engines/#' });
});
afterAll(async () => {
  await aedes.stop();
  await mosquitto.stop();
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function socketTo(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, noDelay: true }, () => resolve(socket));
    socket.once('error', reject);
  });
}

let seq = 0;
/** Opens a link and waits for CONNACK (resolves with the link) or close (rejects with the last error). */
async function open(engine: MqttEngine, port: number, over: Partial<EngineConnectOptions> = {}): Promise<MqttLink> {
  const socket = await socketTo(port);
  const link = engine.open(socket, {
    protocolVersion: 4,
    clientId: `engines-${++seq}`,
    keepaliveSeconds: 0,
    clean: true,
    connectTimeoutMs: 5_000,
    clock: new ManualClock(Date.now()),
    ...over,
  });
  cleanups.push(() => link.destroy());
  return new Promise((resolve, reject) => {
    let lastError: unknown;
    link.on('error', (error) => void (lastError = error));
    link.on('connack', () => resolve(link));
    link.on('close', () => reject(lastError ?? new Error('closed before CONNACK')));
  });
}

const closed = (link: MqttLink): Promise<void> => new Promise((resolve) => link.on('close', resolve));

for (const [name, engine] of Object.entries(ENGINES)) {
  describe(`${name} engine`, () => {
    it('a refused CONNACK fails the link with the return code as a numeric `code`', async () => {
      await expect(open(engine, aedes.port, { username: 'wrong', password: 'x' })).rejects.toMatchObject({ code: 4 });
    });

    it('keepalive: PINGREQ once the link is idle for the interval; no PINGRESP an interval later ends it', async () => {
      const proxy = await startTcpProxy(aedes.port);
      cleanups.push(() => proxy.close());
      // The system clock: MQTT.js times its keepalive with Date.now() besides the timer we give it.
      const link = await open(engine, proxy.port, { keepaliveSeconds: 1, clock: systemClock });
      // On an idle link the only bytes that can come are the PINGRESP to the keepalive's PINGREQ.
      await new Promise<void>((resolve) => link.on('received', resolve));
      proxy.blackHole();
      const errors: unknown[] = [];
      link.on('error', (error) => void errors.push(error));
      await closed(link);
      expect(String(errors[0])).toMatch(/keepalive timeout/i);
    });

    it('garbage from the peer closes the link with an error; nothing throws', async () => {
      // CONNACK accepted, then a packet of reserved type 15 on MQTT 3.1.1.
      const peers: Socket[] = [];
      const server: Server = createServer((socket) => {
        peers.push(socket);
        socket.end(Buffer.from([0x20, 0x02, 0x00, 0x00, 0xf0, 0x00, 0x00]));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      cleanups.push(() => {
        for (const peer of peers) peer.destroy();
        return new Promise<void>((resolve) => server.close(() => resolve()));
      });
      const port = (server.address() as { port: number }).port;
      const socket = await socketTo(port);
      const link = engine.open(socket, {
        protocolVersion: 4,
        clientId: 'garbage',
        keepaliveSeconds: 0,
        clean: true,
        connectTimeoutMs: 5_000,
        clock: new ManualClock(),
      });
      const errors: unknown[] = [];
      link.on('error', (error) => void errors.push(error));
      await closed(link);
      expect(link.connected).toBe(false);
      expect(errors.length).toBeGreaterThan(0);
    });

    it('MQTT 5 on mosquitto: SUBACK and PUBACK reason codes; user properties and message expiry reach the subscriber', async () => {
      const v5 = { protocolVersion: 5 as const };
      const sub = await open(engine, mosquitto.port, v5);
      const pub = await open(engine, mosquitto.port, v5);
      const topic = `engines/${name}/v5`;
      expect(
        await sub.subscribe([
          { filter: topic, qos: 1 },
          { filter: `${topic}/zero/+`, qos: 0 },
        ]),
      ).toEqual([
        { filter: topic, reasonCode: 1 },
        { filter: `${topic}/zero/+`, reasonCode: 0 },
      ]);
      const got = new Promise<EngineMessage>((resolve) =>
        sub.on('message', (m) => {
          // The consumer acknowledges once it has the message (MQTT.js reads nothing more until then).
          if (m.messageId !== undefined) sub.acknowledge(m.messageId);
          resolve(m);
        }),
      );
      const properties = {
        userProperties: { game: 'demo', tag: ['a', 'b'] },
        messageExpiryInterval: 60,
        contentType: 'text/plain',
      };
      expect(
        await pub.publish(topic, new TextEncoder().encode('five'), { qos: 1, retain: false, properties }),
      ).toMatchObject({ reasonCode: 0 });
      const message = await got;
      expect(new TextDecoder().decode(message.payload)).toBe('five');
      expect(message.qos).toBe(1);
      expect(message.properties?.userProperties).toEqual({ game: 'demo', tag: ['a', 'b'] });
      expect(message.properties?.contentType).toBe('text/plain');
      expect(message.properties?.messageExpiryInterval).toBeGreaterThan(0);
      expect(message.properties?.messageExpiryInterval).toBeLessThanOrEqual(60);
      // A QoS 1 PUBLISH outside the ACL: PUBACK 0x87 (not authorized), the link stays up.
      expect(await pub.publish('forbidden/x', new Uint8Array([1]), { qos: 1, retain: false })).toMatchObject({
        reasonCode: 0x87,
      });
      expect(pub.connected).toBe(true);
      expect(await sub.unsubscribe([topic])).toEqual([0]);
      await pub.end();
      expect(pub.connected).toBe(false);
    });
  });
}
