import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connect as tlsConnect } from 'node:tls';
import type { ConnectionOptions } from 'node:tls';
import type { MqttClient } from 'mqtt';
import type { EmulatorFixture } from '../../testing/emulator-fixture.js';
import { startFixture } from '../../testing/emulator-fixture.js';
import { closed, connect, connectRefused, nextMessage, subscribe } from '../../testing/mqtt-helpers.js';

let fixture: EmulatorFixture;
const clients: MqttClient[] = [];

beforeEach(async () => {
  fixture = await startFixture();
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
  await fixture.close();
});

function tlsOptions(issued: { certificatePem: string; privateKeyPem: string }, alpn?: string[]) {
  return {
    ca: fixture.emulator.caPem,
    cert: issued.certificatePem,
    key: issued.privateKeyPem,
    servername: 'localhost',
    ...(alpn === undefined ? {} : { ALPNProtocols: alpn }),
  };
}

/** Resolves with how a raw TLS connection ended: `closed` by the server, or a handshake error. */
function rawTlsOutcome(options: ConnectionOptions): Promise<string> {
  return new Promise((resolve) => {
    const socket = tlsConnect({ host: '127.0.0.1', port: fixture.emulator.endpoints.ports.mqtts, ...options });
    socket.on('error', (error) => resolve(`error: ${error.message}`));
    socket.on('close', () => resolve('closed'));
    socket.resume();
  });
}

describe('MQTT over mutual TLS', () => {
  for (const alpn of [['x-amzn-mqtt-ca'], undefined]) {
    it(`connects with an issued certificate (ALPN ${alpn?.[0] ?? 'none'})`, async () => {
      const issued = await fixture.emulator.ca.issueClientCertificate('device-1');
      expect(issued.caPem).toBe(fixture.emulator.caPem);
      const client = await connect(fixture.emulator.endpoints.mqtts, {
        clientId: 'device-1',
        ...tlsOptions(issued, alpn),
      });
      clients.push(client);
      const [connection] = fixture.emulator.broker.connections();
      expect(connection).toMatchObject({ clientId: 'device-1', transport: 'tls', principalId: issued.serialNumber });
      await subscribe(client, 'game/private/device-1', 1);
      const message = nextMessage(client);
      await fixture.emulator.broker.publish('game/private/device-1', Buffer.from('for you'), { qos: 1 });
      expect((await message).payload.toString()).toBe('for you');
    });
  }

  it('refuses a connection without a client certificate (ALPN x-amzn-mqtt-ca)', async () => {
    expect(
      await rawTlsOutcome({ ca: fixture.emulator.caPem, servername: 'localhost', ALPNProtocols: ['x-amzn-mqtt-ca'] }),
    ).toBe('closed');
    // The server records the refusal before it closes the socket.
    expect(fixture.refusals).toEqual([
      expect.objectContaining({ action: 'connect', reason: 'certificate-required', transport: 'tls', linkKept: false }),
    ]);
  });

  it('refuses a certificate from another CA during the handshake', async () => {
    const other = await startFixture();
    try {
      const foreign = await other.emulator.ca.issueClientCertificate('device-1');
      const outcome = await rawTlsOutcome({ ...tlsOptions(foreign, ['x-amzn-mqtt-ca']) });
      expect(outcome).toBe('closed');
      expect(fixture.refusals).toEqual([
        expect.objectContaining({ action: 'connect', reason: 'certificate-required', transport: 'tls' }),
      ]);
    } finally {
      await other.close();
    }
  });

  it('accepts a custom authorizer without a certificate on ALPN mqtt', async () => {
    await fixture.restart({
      authorizers: {
        game: {
          handler: async (event) => ({
            isAuthenticated: event.token === 'ok',
            principalId: 'server1',
            disconnectAfterInSeconds: 3600,
            refreshAfterInSeconds: 3600,
            policyDocuments: [
              JSON.stringify({ Statement: [{ Effect: 'Allow', Action: 'iot:Connect', Resource: '*' }] }),
            ],
          }),
        },
      },
    });
    const client = await connect(fixture.emulator.endpoints.mqtts, {
      clientId: 'server-1',
      ca: fixture.emulator.caPem,
      servername: 'localhost',
      ALPNProtocols: ['mqtt'],
      username: '?x-amz-customauthorizer-name=game&token=ok&SDK=Test',
    });
    clients.push(client);
    expect(fixture.emulator.broker.connections()[0]).toMatchObject({
      clientId: 'server-1',
      principalId: 'server1',
      transport: 'tls',
    });
  });

  it('refuses a client id other than the certificate CN (CONNACK 5)', async () => {
    const issued = await fixture.emulator.ca.issueClientCertificate('device-1');
    expect(
      (await connectRefused(fixture.emulator.endpoints.mqtts, { clientId: 'device-2', ...tlsOptions(issued) })).code,
    ).toBe(5);
  });

  it('answers a revoked certificate with CONNACK 5 (not authorized) after TLS, not a cut socket', async () => {
    const issued = await fixture.emulator.ca.issueClientCertificate('device-1');
    await fixture.emulator.ca.revokeClient('device-1');
    expect(fixture.emulator.ca.isRevoked(issued.serialNumber)).toBe(true);
    expect(
      (await connectRefused(fixture.emulator.endpoints.mqtts, { clientId: 'device-1', ...tlsOptions(issued) })).code,
    ).toBe(5);
    expect(fixture.refusals).toEqual([
      expect.objectContaining({
        action: 'connect',
        reason: 'certificate-revoked',
        clientId: 'device-1',
        transport: 'tls',
      }),
    ]);
  });

  it('disconnectPrincipal drops a live certificate client', async () => {
    const issued = await fixture.emulator.ca.issueClientCertificate('device-9');
    const client = await connect(fixture.emulator.endpoints.mqtts, { clientId: 'device-9', ...tlsOptions(issued) });
    expect(fixture.emulator.broker.disconnectPrincipal('device-9', 'SERVER_INITIATED_DISCONNECT')).toBe(1);
    await closed(client);
  });
});
