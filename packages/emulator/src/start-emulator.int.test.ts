import { afterEach, describe, expect, it } from 'vitest';
import { connect as netConnect } from 'node:net';
import type { MqttClient } from 'mqtt';
import type { EmulatorFixture } from '../testing/emulator-fixture.js';
import { startFixture } from '../testing/emulator-fixture.js';
import { ManualClock } from '../testing/manual-clock.js';
import { closed, connect, end, nextMessage, subscribe } from '../testing/mqtt-helpers.js';
import { certificateLogin } from '../testing/certificate-login.js';

let fixture: EmulatorFixture | undefined;
const clients: MqttClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
  await fixture?.close();
  fixture = undefined;
});

/** An authorizer that lets any client id connect (and do nothing else). */
const CONNECT_ONLY = {
  ok: {
    handler: async () => ({
      isAuthenticated: true,
      principalId: 'p1',
      disconnectAfterInSeconds: 3600,
      refreshAfterInSeconds: 3600,
      policyDocuments: [JSON.stringify({ Statement: [{ Effect: 'Allow', Action: 'iot:Connect', Resource: '*' }] })],
    }),
  },
};
const AUTHORIZER_USERNAME = '?x-amz-customauthorizer-name=ok&token=t';

const lengthPrefixed = (text: string): Buffer => {
  const bytes = Buffer.from(text);
  return Buffer.concat([Buffer.from([bytes.length >> 8, bytes.length & 0xff]), bytes]);
};

/**
 * An MQTT 3.1.1 CONNECT (clean session, authorizer username) with the given keepalive,
 * written by hand so no PINGREQ ever follows.
 */
function connectPacket(clientId: string, keepalive: number): Buffer {
  const variable = Buffer.from([0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x04, 0x82, keepalive >> 8, keepalive & 0xff]);
  const payload = Buffer.concat([lengthPrefixed(clientId), lengthPrefixed(AUTHORIZER_USERNAME)]);
  return Buffer.concat([Buffer.from([0x10, variable.length + payload.length]), variable, payload]);
}

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = netConnect(port, '127.0.0.1');
    socket.on('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.on('error', () => resolve(true));
  });
}

describe('startEmulator', () => {
  it('reports every endpoint on 127.0.0.1 with OS-chosen ports', async () => {
    fixture = await startFixture();
    const { endpoints } = fixture.emulator;
    expect(endpoints.mqtt).toMatch(/^mqtt:\/\/127\.0\.0\.1:\d+$/);
    expect(endpoints.mqtts).toMatch(/^mqtts:\/\/127\.0\.0\.1:\d+$/);
    expect(endpoints.ws).toBe(`ws://127.0.0.1:${endpoints.ports.http}/mqtt`);
    expect(endpoints.wss).toBe(`wss://127.0.0.1:${endpoints.ports.https}/mqtt`);
    expect(endpoints.cognito).toBe(`http://127.0.0.1:${endpoints.ports.http}/cognito`);
    expect(new Set(Object.values(endpoints.ports)).size).toBe(4);
  });

  it('stop() closes every listener and live connection of every kind', async () => {
    fixture = await startFixture({ authorizers: CONNECT_ONLY });
    const { endpoints, caPem } = fixture.emulator;
    const issued = await fixture.emulator.ca.issueClientCertificate('device-1');
    const live = await Promise.all([
      connect(endpoints.mqtt, { clientId: 'tcp-1', username: AUTHORIZER_USERNAME }),
      connect(endpoints.ws, { clientId: 'ws-1', username: AUTHORIZER_USERNAME }),
      connect(`${endpoints.wss}?x-amz-customauthorizer-name=ok&token=t`, { clientId: 'wss-1', ca: caPem }),
      connect(endpoints.mqtts, {
        clientId: 'device-1',
        ca: caPem,
        cert: issued.certificatePem,
        key: issued.privateKeyPem,
      }),
    ]);
    const allClosed = Promise.all(live.map((c) => closed(c)));
    await fixture.stop();
    await allClosed;
    for (const c of live) c.end(true);
    for (const port of Object.values(endpoints.ports)) expect(await refused(port)).toBe(true);
  });

  it('drops a client that stops sending with MQTT_KEEP_ALIVE_TIMEOUT (1.5 × keepalive)', async () => {
    fixture = await startFixture({
      presenceInDefaultPolicy: true,
      limits: { minKeepaliveSeconds: 1 },
      authorizers: CONNECT_ONLY,
    });
    const login = await certificateLogin(fixture.emulator, 'watcher');
    const watcher = await connect(login.url, login.options);
    clients.push(watcher);
    await subscribe(watcher, '$aws/events/presence/disconnected/+');
    const event = nextMessage(watcher);
    const silent = netConnect(fixture.emulator.endpoints.ports.mqtt, '127.0.0.1', () =>
      silent.write(connectPacket('silent', 1)),
    );
    silent.on('error', () => undefined);
    silent.resume();
    const payload = JSON.parse((await event).payload.toString()) as Record<string, unknown>;
    expect(payload).toMatchObject({ clientId: 'silent', disconnectReason: 'MQTT_KEEP_ALIVE_TIMEOUT' });
    silent.destroy();
  });

  it('expires a persistent session after sessionExpiryMs', async () => {
    const clock = new ManualClock();
    fixture = await startFixture({ clock, sessionExpiryMs: 60_000 });
    const login = await certificateLogin(fixture.emulator, 'alice');
    const first = await connect(login.url, { ...login.options, clean: false });
    await subscribe(first, 'game/private/alice', 1);
    await end(first);
    await expect.poll(() => clock.pendingTimers).toBe(1);
    await fixture.emulator.broker.publish('game/private/alice', Buffer.from('stale'), { qos: 1 });
    clock.advance(60_000);
    const again = await connect(login.url, { ...login.options, clean: false });
    clients.push(again);
    const received: string[] = [];
    again.on('message', (_topic, payload) => received.push(payload.toString()));
    // The subscription is gone with the session: subscribe again and prove only new messages arrive.
    await subscribe(again, 'game/private/alice', 1);
    const fresh = nextMessage(again);
    await fixture.emulator.broker.publish('game/private/alice', Buffer.from('fresh'), { qos: 1 });
    await fresh;
    expect(received).toEqual(['fresh']);
  });
});
