/**
 * Every certificate and socket failure gives its typed error, with real certificates made in
 * the test and a real TLS server (aedes behind tls.createServer) on 127.0.0.1, port 0.
 */
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer as createNetServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import * as x509 from '@peculiar/x509';
import { Aedes } from 'aedes';
import { ERROR_CODES, WebcommClient, type WebcommError } from '@webcomm/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTlsMaterial } from './tls-material.js';
import { mutualTlsTransport } from './mutual-tls-transport.js';
import { tcpTransport } from './tcp-transport.js';

const crypto = webcrypto as unknown as Crypto;
x509.cryptoProvider.set(crypto);
const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY = 86_400_000;

interface Issued {
  cert: string;
  key: string;
}

async function keyPem(key: CryptoKey): Promise<string> {
  return x509.PemConverter.encode(await crypto.subtle.exportKey('pkcs8', key), 'PRIVATE KEY');
}

async function makeCa(name: string): Promise<{ cert: x509.X509Certificate; keys: CryptoKeyPair; pem: string }> {
  const keys = (await crypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: `CN=${name}`,
    notBefore: new Date(Date.now() - DAY),
    notAfter: new Date(Date.now() + DAY),
    keys,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign, true),
    ],
  });
  return { cert, keys, pem: cert.toString('pem') };
}

async function issue(
  ca: Awaited<ReturnType<typeof makeCa>>,
  subject: string,
  options: { from?: number; to?: number; ip?: string; dns?: string } = {},
): Promise<Issued> {
  const keys = (await crypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
  const names = [
    ...(options.ip ? [{ type: 'ip' as const, value: options.ip }] : []),
    ...(options.dns ? [{ type: 'dns' as const, value: options.dns }] : []),
  ];
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: Math.floor(Math.random() * 1e9).toString(16),
    subject: `CN=${subject}`,
    issuer: ca.cert.subject,
    notBefore: new Date(options.from ?? Date.now() - DAY),
    notAfter: new Date(options.to ?? Date.now() + DAY),
    signingKey: ca.keys.privateKey,
    publicKey: keys.publicKey,
    signingAlgorithm: ALG,
    extensions: names.length > 0 ? [new x509.SubjectAlternativeNameExtension(names)] : [],
  });
  return { cert: cert.toString('pem'), key: await keyPem(keys.privateKey) };
}

let ca: Awaited<ReturnType<typeof makeCa>>;
let otherCa: Awaited<ReturnType<typeof makeCa>>;
let client: Issued;
let dir: string;
let broker: Aedes;
const servers: Server[] = [];
let goodPort = 0;
let wrongNamePort = 0;
let tls12Port = 0;
let negotiated: (string | false | null)[] = [];

function listen(server: Server): Promise<number> {
  servers.push(server);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

beforeAll(async () => {
  ca = await makeCa('test ca');
  otherCa = await makeCa('other ca');
  client = await issue(ca, 'client-1');
  dir = await mkdtemp(join(tmpdir(), 'webcomm-node-tls-'));
  broker = await Aedes.createBroker();
  const server = await issue(ca, 'broker', { ip: '127.0.0.1' });
  const wrongName = await issue(ca, 'broker', { dns: 'other.example' });
  const tlsOptions = {
    ca: ca.pem,
    requestCert: true,
    rejectUnauthorized: true,
    ALPNProtocols: ['x-amzn-mqtt-ca', 'mqtt'],
  };
  const handle = (socket: TLSSocket): void => {
    negotiated.push(socket.alpnProtocol);
    broker.handle(socket);
  };
  goodPort = await listen(createTlsServer({ ...tlsOptions, key: server.key, cert: server.cert }, handle));
  wrongNamePort = await listen(createTlsServer({ ...tlsOptions, key: wrongName.key, cert: wrongName.cert }, handle));
  tls12Port = await listen(
    createTlsServer({ ...tlsOptions, key: server.key, cert: server.cert, maxVersion: 'TLSv1.2' }, handle),
  );
});

afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  await new Promise<void>((resolve) => broker.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
});

async function connectError(transport: ReturnType<typeof mutualTlsTransport>): Promise<WebcommError> {
  const c = new WebcommClient({ transport, clientId: 'tls-test', backoff: { initialDelayMs: 10_000 } });
  try {
    const failure = new Promise<WebcommError>((resolve) => {
      c.on('reconnecting', ({ error }) => error && resolve(error));
      c.on('error', resolve);
    });
    c.connect().catch(() => undefined);
    return await failure;
  } finally {
    await c.close();
  }
}

describe('mutual TLS transport (real TLS, certificates made here)', () => {
  it('connects with a good certificate and negotiates ALPN x-amzn-mqtt-ca on request', async () => {
    negotiated = [];
    const c = new WebcommClient({
      transport: mutualTlsTransport({
        host: '127.0.0.1',
        port: goodPort,
        cert: client.cert,
        key: client.key,
        ca: ca.pem,
        alpn: 'x-amzn-mqtt-ca',
      }),
      clientId: 'good',
    });
    await c.connect();
    expect(negotiated).toEqual(['x-amzn-mqtt-ca']);
    await c.close();
  });

  it('reads certificate files by path', async () => {
    await writeFile(join(dir, 'c.pem'), client.cert);
    await writeFile(join(dir, 'k.pem'), client.key, { mode: 0o600 });
    const c = new WebcommClient({
      transport: mutualTlsTransport({
        host: '127.0.0.1',
        port: goodPort,
        cert: { path: join(dir, 'c.pem') },
        key: { path: join(dir, 'k.pem') },
        ca: ca.pem,
      }),
      clientId: 'files',
    });
    await c.connect();
    await c.close();
  });

  it('a server signed by an unknown CA is SERVER_UNTRUSTED (fatal)', async () => {
    const error = await connectError(
      mutualTlsTransport({ host: '127.0.0.1', port: goodPort, cert: client.cert, key: client.key, ca: otherCa.pem }),
    );
    expect([error.code, error.fatal]).toEqual([ERROR_CODES.SERVER_UNTRUSTED, true]);
    expect(error.message).toMatch(/CA we do not trust/);
  });

  it('a server certificate for another host name is SERVER_UNTRUSTED naming the host problem', async () => {
    const error = await connectError(
      mutualTlsTransport({ host: '127.0.0.1', port: wrongNamePort, cert: client.cert, key: client.key, ca: ca.pem }),
    );
    expect(error.code).toBe(ERROR_CODES.SERVER_UNTRUSTED);
    expect(error.message).toMatch(/host name/);
  });

  // Node's TLS server does not tell a client *why* it dropped it after checking its certificate
  // (TLS 1.3: a close after the handshake; TLS 1.2: a reset; measured here), so a foreign
  // certificate looks like a dropped link and is retried with backoff. A server that sends an
  // alert (here: "certificate required", when none was sent) is classified as a rejection. The
  // emulator answers a revoked certificate with CONNACK "not authorized", which is fatal.
  it('a TLS alert rejecting our certificate is CERTIFICATE_REJECTED (fatal), not a network fault', async () => {
    const error = await connectError(
      mutualTlsTransport({ host: '127.0.0.1', port: goodPort, ca: ca.pem, customAuthorizer: { authorizerName: 'x' } }),
    );
    expect([error.code, error.fatal]).toEqual([ERROR_CODES.CERTIFICATE_REJECTED, true]);
  });

  it('a certificate from a foreign CA is refused by the server and the client keeps retrying (no alert to go on)', async () => {
    const stranger = await issue(otherCa, 'stranger');
    const error = await connectError(
      mutualTlsTransport({ host: '127.0.0.1', port: tls12Port, cert: stranger.cert, key: stranger.key, ca: ca.pem }),
    );
    expect([error.code, error.fatal]).toEqual([ERROR_CODES.NETWORK, false]);
  });

  it('a refused port and an unresolvable host are transient NETWORK errors that say what to check', async () => {
    const closed = createNetServer();
    const port = await listen(closed);
    await new Promise((resolve) => closed.close(resolve));
    const refused = await connectError(tcpTransport({ host: '127.0.0.1', port }));
    expect([refused.code, refused.fatal]).toEqual([ERROR_CODES.NETWORK, false]);
    expect(refused.message).toMatch(/ECONNREFUSED/);
    const dns = await connectError(tcpTransport({ host: 'no-such-host.invalid', port: 1883 }));
    expect(dns.code).toBe(ERROR_CODES.NETWORK);
    expect(dns.message).toMatch(/cannot be resolved/);
  });
});

describe('TLS material checks before connecting', () => {
  it('a key that does not match the certificate is CERTIFICATE_KEY_MISMATCH', async () => {
    const other = await issue(ca, 'other');
    expect(() => loadTlsMaterial({ cert: client.cert, key: other.key })).toThrow(
      expect.objectContaining({ code: ERROR_CODES.CERTIFICATE_KEY_MISMATCH }),
    );
  });

  it('an expired certificate is CERTIFICATE_EXPIRED with its dates', async () => {
    const expired = await issue(ca, 'old', { from: Date.now() - 10 * DAY, to: Date.now() - DAY });
    expect(() =>
      mutualTlsTransport({ host: '127.0.0.1', port: goodPort, cert: expired.cert, key: expired.key }),
    ).toThrow(
      expect.objectContaining({
        code: ERROR_CODES.CERTIFICATE_EXPIRED,
        message: expect.stringMatching(/expired: valid from .* to /),
      }),
    );
  });

  it('a missing or non-PEM file is CERTIFICATE_UNREADABLE naming the path', () => {
    const missing = join(dir, 'nope.pem');
    expect(() => loadTlsMaterial({ cert: { path: missing }, key: client.key })).toThrow(
      expect.objectContaining({ code: ERROR_CODES.CERTIFICATE_UNREADABLE, message: expect.stringContaining(missing) }),
    );
    expect(() => loadTlsMaterial({ cert: 'cert.pem', key: client.key })).toThrow(/pass \{ path:/);
  });

  it('asks for cert and key unless a custom authorizer is used', () => {
    expect(() => mutualTlsTransport({ host: 'h' })).toThrow(
      expect.objectContaining({ code: ERROR_CODES.INVALID_OPTION }),
    );
  });
});
