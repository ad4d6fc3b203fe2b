/**
 * Nothing that holds a secret shows it when printed: `util.inspect`, `console.log`,
 * `JSON.stringify` and `String()` of clients, registrations, credentials, credential providers,
 * transports, streams and identity-cache results, with real material: registrations and
 * Cognito credentials from the emulator over HTTP, a key pair and certificate freshly issued by
 * its CA, a SigV4-presigned WebSocket link opened to it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Console } from 'node:console';
import { Writable } from 'node:stream';
import { inspect } from 'node:util';
import {
  cognitoCredentials,
  connectToService,
  credentialsFromFunction,
  memoryStorage,
  staticCredentials,
  type AwsCredentials,
} from '@webcomm/browser';
import { startEmulator, silentLogger, type RunningEmulator } from '@webcomm/emulator';
import {
  createNodeClient,
  ensureIdentity,
  loadTlsMaterial,
  mutualTlsTransport,
  nodeWebSocketTransport,
  readCachedIdentity,
  registerClient,
  servicePublisher,
  tcpTransport,
} from '@webcomm/node';
import { REDACTED } from '@webcomm/core/internal';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let emulator: RunningEmulator;
let dataDir: string;
let cacheRoot: string;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'webcomm-secrets-emu-'));
  cacheRoot = await mkdtemp(join(tmpdir(), 'webcomm-secrets-cache-'));
  emulator = await startEmulator({ dataDir, logger: silentLogger });
});
afterAll(async () => {
  await emulator.stop();
  await rm(dataDir, { recursive: true, force: true });
  await rm(cacheRoot, { recursive: true, force: true });
});

/** Every way a user prints a value. */
function printed(value: unknown): Record<string, string> {
  let logged = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logged += chunk.toString();
      done();
    },
  });
  new Console({ stdout: sink, stderr: sink }).log(value);
  return {
    inspect: inspect(value),
    'inspect deep': inspect(value, { depth: Infinity, showHidden: true, getters: true }),
    'console.log': logged,
    'JSON.stringify': String(JSON.stringify(value)),
    String: String(value),
  };
}

/** The distinctive parts of a secret: a PEM key's base64 lines, or the whole token. */
function fingerprints(secret: string): string[] {
  if (!secret.includes('-----BEGIN')) return [secret];
  return secret.split('\n').filter((line) => line.length >= 40 && !line.startsWith('-----'));
}

function expectHidden(what: string, value: unknown, secrets: readonly string[]): Record<string, string> {
  const shown = printed(value);
  const pieces = secrets.flatMap(fingerprints);
  expect(pieces.length, `${what}: no secret to look for`).toBeGreaterThan(0);
  for (const [how, text] of Object.entries(shown)) {
    for (const piece of pieces) expect(text.includes(piece), `${what} printed by ${how} shows a secret`).toBe(false);
  }
  return shown;
}

describe('printing shows no secret', () => {
  it('node client, its registration, the cache and the transports (OPENSSL identity from the emulator)', async () => {
    const cacheDir = join(cacheRoot, 'node');
    const client = await createNodeClient({
      serviceUrl: emulator.endpoints.http,
      adminToken: emulator.adminToken,
      cacheDir,
      publish: { chat: 'service' },
    });
    const registration = client.registration;
    const secrets = [registration.privateKeyPem ?? '', registration.serviceToken];
    expect(secrets[0]).toContain('PRIVATE KEY');
    await client.connect();
    try {
      const shown = expectHidden('NodeClient', client, secrets);
      expect(shown.inspect).toMatch(/^NodeClient \{\s+clientId: '[^']+',\s+state: 'connected',\s+transport: 'mtls'/);
      expect(JSON.parse(shown['JSON.stringify'] ?? '')).toMatchObject({
        clientId: registration.clientId,
        state: 'connected',
        fromCache: false,
      });
      // Even with custom inspection off, the secrets sit in #private fields.
      for (const piece of secrets.flatMap(fingerprints))
        expect(inspect(client, { customInspect: false, depth: Infinity, showHidden: true })).not.toContain(piece);

      const reg = expectHidden('registration', registration, secrets);
      expect(reg.inspect).toContain(`privateKeyPem: '${REDACTED}'`);
      expect(reg.inspect).toContain(`serviceToken: '${REDACTED}'`);
      expect(reg.inspect).toContain('-----BEGIN CERTIFICATE-----'); // the certificate is public
      expect(JSON.parse(reg['JSON.stringify'] ?? '')).toMatchObject({
        clientId: registration.clientId,
        privateKeyPem: REDACTED,
        serviceToken: REDACTED,
      });
      // The data is all there for code that needs it.
      expect({ ...registration }.privateKeyPem).toBe(secrets[0]);

      expectHidden('readCachedIdentity()', await readCachedIdentity(cacheDir), secrets);
      const ensured = await ensureIdentity({
        serviceUrl: emulator.endpoints.http,
        adminToken: emulator.adminToken,
        cacheDir: join(cacheRoot, 'ensured'),
      });
      expectHidden('ensureIdentity()', ensured, [
        ensured.registration.privateKeyPem ?? '',
        ensured.registration.serviceToken,
      ]);
      await ensured.release();
      expectHidden(
        'servicePublisher()',
        servicePublisher({ serviceUrl: emulator.endpoints.http, serviceToken: registration.serviceToken }),
        [registration.serviceToken],
      );
    } finally {
      await client.close();
    }
  });

  it('TLS material and transports with a key pair and certificate just issued by the CA', async () => {
    const issued = await emulator.ca.issueClientCertificate('inspect-me');
    const secrets = [issued.privateKeyPem];
    const material = loadTlsMaterial({ cert: issued.certificatePem, key: issued.privateKeyPem, ca: issued.caPem });
    expect(material.key).toBe(issued.privateKeyPem);
    expect(expectHidden('loadTlsMaterial()', material, secrets).inspect).toContain(`key: '${REDACTED}'`);
    expectHidden(
      'mutualTlsTransport()',
      mutualTlsTransport({
        host: '127.0.0.1',
        port: emulator.endpoints.ports.mqtts,
        cert: issued.certificatePem,
        key: issued.privateKeyPem,
        ca: issued.caPem,
      }),
      secrets,
    );
    const password = 'tcp-password-9f1c2e7a';
    expectHidden('tcpTransport()', tcpTransport({ host: '127.0.0.1', port: 1, username: 'u', password }), [password]);
    expectHidden(
      'mutualTlsTransport() with a custom authorizer',
      mutualTlsTransport({
        host: '127.0.0.1',
        customAuthorizer: {
          authorizerName: 'a',
          token: { keyName: 'k', value: 'authorizer-token-55aa' as string },
          password: 'authorizer-pass-77bb',
        },
      }),
      ['authorizer-token-55aa', 'authorizer-pass-77bb'],
    );
  });

  it('credentials, providers, the browser flow and a presigned WebSocket link (WEBSOCKET identity and Cognito credentials from the emulator)', async () => {
    const registration = await registerClient({ serviceUrl: emulator.endpoints.http, type: 'WEBSOCKET' });
    expect(expectHidden('registerClient()', registration, [registration.serviceToken]).inspect).toContain(
      `serviceToken: '${REDACTED}'`,
    );

    const cognito = cognitoCredentials({
      identityPoolId: registration.identityPoolId ?? '',
      region: registration.region,
      storage: memoryStorage(),
      ...(registration.cognitoEndpoint === undefined ? {} : { endpoint: registration.cognitoEndpoint }),
    });
    const credentials: AwsCredentials = await cognito();
    const secrets = [credentials.secretAccessKey, credentials.sessionToken ?? ''];
    expect(secrets[1]).not.toBe('');
    const shown = expectHidden('Cognito credentials', credentials, secrets);
    expect(shown.inspect).toContain(`secretAccessKey: '${REDACTED}'`);
    expect(shown.inspect).toContain(`accessKeyId: '${credentials.accessKeyId}'`);
    expectHidden('cognitoCredentials() provider', cognito, secrets);
    const fixed = staticCredentials({ ...credentials });
    expectHidden('staticCredentials() provider', fixed, secrets);
    expectHidden('staticCredentials() value', await fixed(), secrets);
    const refreshing = credentialsFromFunction(() => ({ ...credentials }));
    expectHidden('credentialsFromFunction() value', await refreshing(), secrets);

    const transport = nodeWebSocketTransport({
      endpoint: emulator.endpoints.ws,
      auth: { type: 'sigv4', credentials: fixed, region: registration.region },
    });
    expectHidden('nodeWebSocketTransport()', transport, secrets);
    const link = await transport.open({
      attempt: 1,
      clientId: registration.clientId,
      signal: new AbortController().signal,
    });
    try {
      const stream = expectHidden('WebSocketStream (presigned link)', link.stream, [
        ...secrets,
        encodeURIComponent(credentials.sessionToken ?? ''),
      ]);
      expect(stream.inspect).not.toContain('X-Amz-Signature');
      expect(inspect(link.stream, { customInspect: false, depth: 4 })).not.toContain('X-Amz-Signature');
    } finally {
      link.stream.destroy();
    }

    const connection = await connectToService({
      serviceUrl: emulator.endpoints.http,
      storage: memoryStorage(),
      WebSocket: WebSocket as never,
    });
    try {
      const own = await connection.credentials();
      expectHidden('connectToService() result', connection, [
        connection.registration.serviceToken,
        own.secretAccessKey,
        own.sessionToken ?? '',
      ]);
      expectHidden('browser client', connection.client, [connection.registration.serviceToken, own.secretAccessKey]);
    } finally {
      await connection.client.close();
    }
  });
});
