/**
 * MQTT 5 end to end against Debian's mosquitto (2.0), the independent broker: reason codes
 * become typed outcomes without guessing from link drops. The dynamic security plugin refuses
 * what no role grants (SUBACK and PUBACK 0x87) and, when roles change, disconnects the affected
 * clients with 0x98 (administrative action, how IoT Core's DeleteConnection ends a link).
 * Session expiry, message expiry and user properties travel as MQTT 5 properties.
 */
import {
  MESSAGE_ID_PROPERTY,
  ERROR_CODES,
  leanEngine,
  WebcommClient,
  type MessageMeta,
  type MqttEngine,
  type WebcommClientOptions,
  type WebcommError,
} from '@webcomm/core';
import { mqttJsEngine } from '@webcomm/core/mqttjs';
import mqtt from 'mqtt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nextEvent, record } from '../helpers/events.js';
import { startMosquitto, type TestMosquitto } from '../helpers/mosquitto.js';
import { tcpTransport, type TcpTestTransport } from '../helpers/tcp-transport.js';

const CONTROL = '$CONTROL/dynamic-security/v1';

/** Anonymous clients may subscribe and publish under `open/`, and send dynsec commands; nothing else. */
const DYNSEC = {
  defaultACLAccess: { publishClientSend: false, publishClientReceive: true, subscribe: false, unsubscribe: true },
  clients: [],
  groups: [{ groupname: 'anon', roles: [{ rolename: 'open' }] }],
  roles: [
    {
      rolename: 'open',
      acls: [
        { acltype: 'subscribePattern', topic: 'open/#', allow: true },
        { acltype: 'publishClientSend', topic: 'open/#', allow: true },
        { acltype: 'publishClientSend', topic: `${CONTROL}/#`, allow: true },
        { acltype: 'publishClientSend', topic: CONTROL, allow: true },
      ],
    },
  ],
  anonymousGroup: 'anon',
};

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function mosquitto(options: Parameters<typeof startMosquitto>[0] = {}): Promise<TestMosquitto> {
  const m = await startMosquitto(options);
  cleanups.push(() => m.stop());
  return m;
}

/** The engine the current `describe.each` round runs on. */
let engine: MqttEngine = mqttJsEngine;

function client(options: Omit<WebcommClientOptions, 'transport'> & { transport: TcpTestTransport }): WebcommClient {
  const c = new WebcommClient({ engine, ...options });
  cleanups.push(() => c.close());
  return c;
}

/** A raw MQTT.js v5 client, the test's own hands on the broker. */
async function raw(port: number, clientId: string): Promise<mqtt.MqttClient> {
  const c = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { protocolVersion: 5, clientId, reconnectPeriod: 0 });
  cleanups.push(() => c.endAsync(true));
  return c;
}

/** Sends dynsec commands: a role change disconnects the clients of that group with 0x98. */
async function dynsec(port: number, commands: object[]): Promise<void> {
  const admin = await raw(port, 'dynsec-admin');
  // QoS 0: the admin is in the group it changes, so it is kicked too, maybe before a PUBACK.
  await admin.publishAsync(CONTROL, JSON.stringify({ commands }), { qos: 0 });
}

const channels = [
  { name: 'open', topic: 'open/news', publish: 'broker' as const },
  { name: 'closed', topic: 'closed/news', publish: 'broker' as const },
];

describe.each([mqttJsEngine, leanEngine])(
  'MQTT 5 on mosquitto, engine $name: reason codes are typed outcomes',
  (current) => {
    beforeEach(() => {
      engine = current;
    });

    it('SUBACK 0x87 refuses that filter only (SUBSCRIBE_REFUSED); the link stays up and the rest delivers', async () => {
      const m = await mosquitto({ dynsec: DYNSEC });
      const transport = tcpTransport(m.port);
      const c = client({ transport, clientId: 'sub5', protocolVersion: 5, channels });
      const disconnects = record(c, 'disconnected');
      await c.connect();
      const got: string[] = [];
      await c.subscribe('open', (message: Uint8Array) => void got.push(new TextDecoder().decode(message)), {
        decode: 'raw',
      });
      const refused = await c.subscribe('closed', () => undefined).catch((error: WebcommError) => error);
      expect((refused as WebcommError).code).toBe(ERROR_CODES.SUBSCRIBE_REFUSED);
      expect((refused as WebcommError).topic).toBe('closed/news');
      expect((refused as WebcommError).message).toMatch(/SUBACK 0x87: not authorized/);
      const delivered = nextEvent(c, 'message');
      await (await raw(m.port, 'pub')).publishAsync('open/news', 'still here', { qos: 1 });
      await delivered;
      expect([got, disconnects.length, transport.opens, c.state]).toEqual([['still here'], 0, 1, 'connected']);
    });

    it('PUBACK 0x87 rejects that publish (PUBLISH_REFUSED) at once, without a link drop; others are sent', async () => {
      const m = await mosquitto({ dynsec: DYNSEC });
      const transport = tcpTransport(m.port);
      const c = client({ transport, clientId: 'pub5', protocolVersion: 5, channels });
      const disconnects = record(c, 'disconnected');
      await c.connect();
      const refused = await c.publish('closed', { x: 1 }, { qos: 1 }).catch((error: WebcommError) => error);
      expect((refused as WebcommError).code).toBe(ERROR_CODES.PUBLISH_REFUSED);
      expect((refused as WebcommError).message).toMatch(/PUBACK 0x87/);
      await c.publish('open', { x: 2 }, { qos: 1 });
      expect([disconnects.length, transport.opens, c.state]).toEqual([0, 1, 'connected']);
    });

    it('DISCONNECT 0x98 (administrative action) is KICKED; the client reconnects and resubscribes', async () => {
      const m = await mosquitto({ dynsec: DYNSEC });
      const transport = tcpTransport(m.port);
      const c = client({ transport, clientId: 'kick5', protocolVersion: 5, channels, backoff: { initialDelayMs: 50 } });
      await c.connect();
      await c.subscribe('open', () => undefined);
      const disconnected = nextEvent(c, 'disconnected');
      const back = nextEvent(c, 'connected');
      await dynsec(m.port, [
        { command: 'createRole', rolename: 'extra' },
        { command: 'addGroupRole', groupname: 'anon', rolename: 'extra' },
      ]);
      const [{ reason, error }] = await disconnected;
      expect([reason, error?.message]).toEqual([ERROR_CODES.KICKED, expect.stringMatching(/DISCONNECT 0x98/)]);
      await back;
      expect(c.state).toBe('connected');
    });

    it('DISCONNECT 0x98 with a service that says "banned": BANNED, failed, no reconnect', async () => {
      const m = await mosquitto({ dynsec: DYNSEC });
      const transport = tcpTransport(m.port);
      let checks = 0;
      const c = client({
        transport,
        clientId: 'ban5',
        protocolVersion: 5,
        channels,
        statusCheck: () => {
          checks += 1;
          return Promise.resolve('banned');
        },
      });
      await c.connect();
      const failed = nextEvent(c, 'state', ({ to }) => to === 'failed');
      await dynsec(m.port, [
        { command: 'createRole', rolename: 'extra' },
        { command: 'addGroupRole', groupname: 'anon', rolename: 'extra' },
      ]);
      const [{ error }] = await failed;
      expect([error?.code, error?.fatal, checks, transport.opens]).toEqual([ERROR_CODES.BANNED, true, 1, 1]);
    });

    it('the same kick on MQTT 3.1.1 is a plain close (NETWORK), as IoT Core shows it', async () => {
      const m = await mosquitto({ dynsec: DYNSEC });
      const c = client({
        transport: tcpTransport(m.port),
        clientId: 'kick4',
        channels,
        backoff: { initialDelayMs: 50 },
      });
      await c.connect();
      const disconnected = nextEvent(c, 'disconnected');
      await dynsec(m.port, [
        { command: 'createRole', rolename: 'extra' },
        { command: 'addGroupRole', groupname: 'anon', rolename: 'extra' },
      ]);
      const [{ reason }] = await disconnected;
      expect(reason).toBe(ERROR_CODES.NETWORK);
    });

    it('sessionExpirySeconds keeps the session across a close: QoS 1 messages published meanwhile arrive', async () => {
      const m = await mosquitto();
      const open = async (sessionExpirySeconds: number | undefined): Promise<{ c: WebcommClient; got: string[] }> => {
        const got: string[] = [];
        const c = client({
          transport: tcpTransport(m.port),
          clientId: 'session5',
          protocolVersion: 5,
          clean: false,
          channels,
          ...(sessionExpirySeconds === undefined ? {} : { sessionExpirySeconds }),
        });
        await c.subscribe('open', (message: Uint8Array) => void got.push(new TextDecoder().decode(message)), {
          qos: 1,
          decode: 'raw',
        });
        return { c, got };
      };
      const publisher = await raw(m.port, 'publisher');
      // With an expiry, the session outlives the link.
      const first = await open(60);
      await first.c.connect();
      await first.c.close();
      await publisher.publishAsync('open/news', 'while away', { qos: 1 });
      const second = await open(60);
      const connected = nextEvent(second.c, 'connected');
      const message = nextEvent(second.c, 'message');
      await second.c.connect();
      expect((await connected)[0].sessionPresent).toBe(true);
      await message;
      expect(second.got).toEqual(['while away']);
      await second.c.close();
      // Without one (MQTT 5's default 0), it ends with the link, even with clean: false.
      const third = await open(undefined);
      await third.c.connect();
      await third.c.close();
      const fourth = await open(undefined);
      const again = nextEvent(fourth.c, 'connected');
      await fourth.c.connect();
      expect((await again)[0].sessionPresent).toBe(false);
    });

    it('user properties reach handlers; a retained update published with expirySeconds is not served once stale', async () => {
      const m = await mosquitto();
      const publisher = client({
        transport: tcpTransport(m.port),
        clientId: 'content-pub',
        protocolVersion: 5,
        channels,
      });
      await publisher.connect();
      const subscriber = client({
        transport: tcpTransport(m.port),
        clientId: 'content-sub',
        protocolVersion: 5,
        channels,
      });
      await subscriber.connect();
      const metas: MessageMeta[] = [];
      const arrived = nextEvent(subscriber, 'message');
      await subscriber.subscribe('open', (_message, meta) => void metas.push(meta));
      await publisher.publish(
        'open',
        { version: 2 },
        { qos: 1, retain: true, expirySeconds: 2, userProperties: { build: '42', tags: ['a', 'b'] } },
      );
      await arrived;
      // The sender's properties, and the message id the client stamps on a QoS 1 broker publish.
      expect(metas[0]?.properties?.userProperties).toEqual({
        build: '42',
        tags: ['a', 'b'],
        [MESSAGE_ID_PROPERTY]: expect.stringMatching(/^[\w-]{22}$/),
      });
      expect(metas[0]?.properties?.messageExpiryInterval).toBeLessThanOrEqual(2);
      // A newcomer right away gets the retained update; once its 2 s are over, nobody does.
      // Message expiry is time itself, so this polls a fresh subscriber with a deadline.
      const retainedNow = async (): Promise<boolean> => {
        const probe = await raw(m.port, `probe-${Math.random()}`);
        // The marker is retained too and asked for in a second SUBSCRIBE: it arrives after any
        // retained update the first one brings.
        const answer = new Promise<boolean>((resolve) =>
          probe.on('message', (topic) => resolve(topic === 'open/news')),
        );
        await probe.subscribeAsync('open/news');
        await probe.subscribeAsync('open/marker');
        const result = await answer;
        await probe.endAsync(true);
        return result;
      };
      await (await raw(m.port, 'marker')).publishAsync('open/marker', 'm', { qos: 1, retain: true });
      expect(await retainedNow()).toBe(true);
      // The broker's clock ends it: poll the condition (each probe is a full round trip) until then.
      await expect.poll(retainedNow, { timeout: 10_000, interval: 250 }).toBe(false);
    });

    it('expirySeconds and userProperties are refused on MQTT 3.1.1, naming the option', async () => {
      const m = await mosquitto();
      const c = client({ transport: tcpTransport(m.port), clientId: 'props4', channels });
      await c.connect();
      const refused = await c.publish('open', 'x', { expirySeconds: 5 }).catch((error: WebcommError) => error);
      expect([(refused as WebcommError).code, (refused as WebcommError).message]).toEqual([
        ERROR_CODES.INVALID_OPTION,
        expect.stringMatching(/expirySeconds.*protocolVersion: 5/),
      ]);
      expect(
        () => new WebcommClient({ transport: tcpTransport(m.port), clientId: 'x', sessionExpirySeconds: 60 }),
      ).toThrow(/sessionExpirySeconds.*protocolVersion: 5/);
    });
  },
);
