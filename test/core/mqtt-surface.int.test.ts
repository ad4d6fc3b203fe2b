/**
 * The MQTT.js surface webcomm drives, checked against the installed MQTT.js so an upgrade that
 * changes it fails here, loudly and by name, instead of somewhere deep in a reconnect. We take
 * the client class from MQTT.js's sources (`mqtt/lib/client`, see core's `mqttjs-client.ts`),
 * which is not a public entry: that is why mqtt is pinned to one exact version in every package.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { MqttClient } from '../../packages/core/src/mqtt/mqttjs-client.js';
import { startBroker, type TestBroker } from '../helpers/broker.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const installed = (
  JSON.parse(readFileSync(`${root}packages/core/node_modules/mqtt/package.json`, 'utf8')) as { version: string }
).version;

let broker: TestBroker | undefined;
const clients: InstanceType<typeof MqttClient>[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.end(true);
  await broker?.stop();
  broker = undefined;
});

/** Opens a TCP socket to the test broker. */
function socketTo(port: number): Socket {
  return connect({ host: '127.0.0.1', port });
}

/** Resolves with the arguments of the next `event` of `client`. */
function once(client: InstanceType<typeof MqttClient>, event: string): Promise<unknown[]> {
  return new Promise((resolve) => client.once(event as 'connect', (...args: unknown[]) => resolve(args)));
}

describe('the MQTT.js surface webcomm relies on', () => {
  it('mqtt is pinned to the installed version, exactly, in every package that depends on it', () => {
    const manifests = [
      'package.json',
      ...readdirSync(`${root}packages`).map((name) => `packages/${name}/package.json`),
    ];
    const specs = manifests.flatMap((file) => {
      const manifest = JSON.parse(readFileSync(`${root}${file}`, 'utf8')) as Record<
        string,
        Record<string, string> | undefined
      >;
      return ['dependencies', 'devDependencies', 'peerDependencies'].flatMap((field) =>
        manifest[field]?.mqtt === undefined ? [] : [`${file} ${field}: ${manifest[field].mqtt}`],
      );
    });
    expect(specs.length).toBeGreaterThan(0);
    for (const spec of specs) expect(spec).toMatch(new RegExp(`: ${installed.replaceAll('.', '\\.')}$`));
  });

  it('the client class has the methods we call', () => {
    expect(typeof MqttClient).toBe('function');
    for (const method of [
      'publish',
      'subscribe',
      'unsubscribe',
      'end',
      'on',
      'once',
      'off',
      'removeOutgoingMessage',
      'sendPing',
    ]) {
      expect(typeof (MqttClient.prototype as unknown as Record<string, unknown>)[method], method).toBe('function');
    }
  });

  it('takes a stream factory and options; connects over our stream with our timer; emits the events we listen to', async () => {
    broker = await startBroker();
    const socket = socketTo(broker.port);
    let built = 0;
    const timers: string[] = [];
    const intervals: NodeJS.Timeout[] = [];
    const client = new MqttClient(
      () => {
        built += 1;
        return socket;
      },
      {
        clientId: 'surface-1',
        protocolVersion: 4,
        keepalive: 30,
        reconnectPeriod: 0,
        resubscribe: false,
        queueQoSZero: false,
        // The keepalive timer through our clock: MQTT.js must call our set/clear.
        timerVariant: {
          set: (callback: () => void, ms?: number) => {
            timers.push(`set ${ms}`);
            const id = intervals.length;
            intervals.push(setInterval(callback, ms));
            return id;
          },
          clear: (id: number) => {
            timers.push('clear');
            clearInterval(intervals[id]);
          },
        },
      },
    );
    clients.push(client);

    const [connack] = (await once(client, 'connect')) as [{ sessionPresent?: boolean }];
    expect(built).toBe(1);
    expect(client.stream).toBe(socket);
    expect(client.connected).toBe(true);
    expect(typeof connack.sessionPresent).toBe('boolean');
    expect(typeof client.outgoing).toBe('object');
    expect(timers.some((t) => t.startsWith('set '))).toBe(true);

    // 'packetreceive' carries every packet: the ack confirmer waits for a PINGRESP on it.
    const pingresp = new Promise<void>((resolve) => {
      client.on('packetreceive', (packet: { cmd: string }) => {
        if (packet.cmd === 'pingresp') resolve();
      });
    });
    client.sendPing();
    await pingresp;

    // subscribe (a filter -> options map, as mqtt-ops sends it) / publish callbacks, and
    // 'message' with the packet (its messageId for QoS 1).
    const granted = await new Promise<unknown>((resolve, reject) =>
      client.subscribe({ 'surface/t': { qos: 1 } }, (error, g) => (error ? reject(error) : resolve(g))),
    );
    expect(granted).toEqual([expect.objectContaining({ topic: 'surface/t', qos: 1 })]);
    const message = once(client, 'message');
    await new Promise<void>((resolve, reject) =>
      client.publish('surface/t', Buffer.from('hi'), { qos: 1 }, (error) => (error ? reject(error) : resolve())),
    );
    const [topic, payload, packet] = (await message) as [string, Buffer, { messageId?: number; qos: number }];
    expect(topic).toBe('surface/t');
    expect(payload.toString()).toBe('hi');
    expect(packet.qos).toBe(1);
    expect(typeof packet.messageId).toBe('number');
    expect(client.removeOutgoingMessage(65_000)).toBe(client);
    await new Promise<void>((resolve, reject) =>
      client.unsubscribe('surface/t', (error) => (error ? reject(error ?? undefined) : resolve())),
    );

    const closed = once(client, 'close');
    client.end(true);
    await closed;
    expect(client.connected).toBe(false);
    expect(timers).toContain('clear');
  });

  it("a refused CONNECT emits 'error' with the return code, then 'close'", async () => {
    broker = await startBroker({
      authenticate: (_client, _username, _password, done) =>
        done(Object.assign(new Error('bad'), { returnCode: 5 }) as never, false),
    });
    const socket = socketTo(broker.port);
    const client = new MqttClient(() => socket, { clientId: 'surface-2', protocolVersion: 4, reconnectPeriod: 0 });
    clients.push(client);
    const events: string[] = [];
    const error = once(client, 'error');
    client.on('close', () => events.push('close'));
    const [refusal] = (await error) as [{ code?: number }];
    expect(refusal.code).toBe(5);
    await new Promise<void>((resolve) =>
      events.includes('close') ? resolve() : client.once('close', () => resolve()),
    );
  });

  it('logs through client.log, a debug instance saying whether it is enabled (the engine swaps it for a no-op when not)', async () => {
    broker = await startBroker();
    const socket = socketTo(broker.port);
    const client = new MqttClient(() => socket, { clientId: 'surface-3', protocolVersion: 4, reconnectPeriod: 0 });
    clients.push(client);
    const log = client.log as unknown as { (...args: unknown[]): void; enabled?: unknown };
    expect(typeof log).toBe('function');
    expect(log.enabled === undefined || typeof log.enabled === 'boolean').toBe(true);
    let calls = 0;
    client.log = () => void calls++;
    await once(client, 'connect');
    expect(calls).toBeGreaterThan(0);
  });
});
