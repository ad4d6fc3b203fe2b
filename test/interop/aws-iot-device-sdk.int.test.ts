/**
 * AWS's own v1 device SDK (`aws-iot-device-sdk`, as shipped on npm) against the emulator's
 * defaults: MQTT over WSS with a SigV4-presigned URL from Cognito guest credentials (the SDK
 * signs `host:port` itself), and MQTT over TLS with a client certificate the operator issued
 * (POST /register with the admin token). Each side subscribes and receives a service publish;
 * the certificate client also publishes on a channel the operator granted it.
 */
import awsIot from 'aws-iot-device-sdk';
import type { Device } from 'aws-iot-device-sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { guestCredentials, startEmulatorUnderTest, type EmulatorUnderTest } from '../helpers/emulator-under-test.js';

let env: EmulatorUnderTest | undefined;
const devices: Device[] = [];

afterEach(async () => {
  await Promise.all(devices.splice(0).map((device) => new Promise<void>((done) => device.end(true, () => done()))));
  await env?.close();
  env = undefined;
});

/** Resolves on the first `connect`; rejects on an `error` before it (the SDK retries forever otherwise). */
function connected(device: Device): Promise<void> {
  devices.push(device);
  return new Promise((resolve, reject) => {
    device.once('connect', () => resolve());
    device.once('error', reject);
  });
}

function subscribed(device: Device, topic: string): Promise<number> {
  return new Promise((resolve, reject) =>
    device.subscribe(topic, { qos: 0 }, (error, granted) => (error ? reject(error) : resolve(granted[0]?.qos ?? -1))),
  );
}

function nextMessage(device: Device, topic: string): Promise<string> {
  return new Promise((resolve) => {
    const onMessage = (at: string, payload: Buffer): void => {
      if (at !== topic) return;
      device.off('message', onMessage);
      resolve(payload.toString());
    };
    device.on('message', onMessage);
  });
}

const ANNOUNCEMENTS = 'webcomm/local/announcements';

describe('aws-iot-device-sdk (v1) against the emulator', () => {
  it('connects over WSS with SigV4 (Cognito guest credentials), subscribes and receives', async () => {
    env = await startEmulatorUnderTest();
    const { emulator } = env;
    const { identityId, credentials } = await guestCredentials(emulator);
    const device = awsIot.device({
      protocol: 'wss',
      host: 'localhost',
      port: emulator.endpoints.ports.https,
      region: emulator.region,
      clientId: identityId,
      accessKeyId: credentials.accessKeyId,
      secretKey: credentials.secretAccessKey,
      sessionToken: credentials.sessionToken,
      websocketOptions: { ca: emulator.caPem },
      keepalive: 30,
    });
    await connected(device);
    expect(await subscribed(device, ANNOUNCEMENTS)).toBe(0);
    const message = nextMessage(device, ANNOUNCEMENTS);
    await emulator.broker.publish(ANNOUNCEMENTS, Buffer.from('{"from":"service"}'));
    expect(await message).toBe('{"from":"service"}');
    expect(emulator.broker.connections().find((c) => c.clientId === identityId)).toMatchObject({
      transport: 'wss',
      principalId: identityId,
    });
  });

  it('refuses the SDK over WSS with a wrong secret key (HTTP 403 at the upgrade, never connected)', async () => {
    env = await startEmulatorUnderTest();
    const { emulator } = env;
    const { identityId, credentials } = await guestCredentials(emulator);
    const device = awsIot.device({
      protocol: 'wss',
      host: 'localhost',
      port: emulator.endpoints.ports.https,
      region: emulator.region,
      clientId: identityId,
      accessKeyId: credentials.accessKeyId,
      secretKey: `x${credentials.secretAccessKey.slice(1)}`,
      sessionToken: credentials.sessionToken,
      websocketOptions: { ca: emulator.caPem },
    });
    devices.push(device);
    device.on('error', () => undefined);
    // The SDK reports a refused upgrade as a closed link (and would retry); it must never connect.
    await new Promise<void>((resolve, reject) => {
      device.once('connect', () => reject(new Error('connected with a wrong secret key')));
      device.once('close', () => resolve());
    });
    // The emulator answered each attempt with 403 for the signature (the SDK may have retried before the close).
    expect(env.refusals.length).toBeGreaterThan(0);
    expect(new Set(env.refusals.map((r) => `${r.transport} ${r.action} ${r.status ?? '?'} ${r.reason}`))).toEqual(
      new Set(['wss upgrade 403 bad-signature']),
    );
  });

  it('connects over MQTT/TLS with an operator-issued certificate, receives, and publishes where granted', async () => {
    env = await startEmulatorUnderTest();
    const { emulator } = env;
    const response = await fetch(`${emulator.endpoints.http}/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${emulator.adminToken}` },
      body: JSON.stringify({ type: 'OPENSSL', publish: ['tools'] }),
    });
    expect(response.status).toBe(200);
    const registration = (await response.json()) as {
      clientId: string;
      certificatePem: string;
      privateKeyPem: string;
      caPem: string;
      endpoint: { port: number };
    };
    const device = awsIot.device({
      protocol: 'mqtts',
      host: 'localhost',
      port: registration.endpoint.port,
      clientId: registration.clientId,
      privateKey: Buffer.from(registration.privateKeyPem),
      clientCert: Buffer.from(registration.certificatePem),
      caCert: Buffer.from(registration.caPem),
      keepalive: 30,
    });
    await connected(device);
    expect(await subscribed(device, `webcomm/local/private/client/${registration.clientId}`)).toBe(0);
    expect(await subscribed(device, 'webcomm/local/tools')).toBe(0);
    const own = nextMessage(device, `webcomm/local/private/client/${registration.clientId}`);
    await emulator.broker.publish(`webcomm/local/private/client/${registration.clientId}`, Buffer.from('for you'));
    expect(await own).toBe('for you');
    const echoed = nextMessage(device, 'webcomm/local/tools');
    device.publish('webcomm/local/tools', '{"build":42}', { qos: 1 });
    expect(await echoed).toBe('{"build":42}');
    expect(emulator.broker.connections().find((c) => c.clientId === registration.clientId)?.transport).toBe('tls');
  });
});
