/**
 * The emulator's certificate authority: an ECDSA P-256 CA created on first start and kept
 * in `<dataDir>/ca/`, issuing the broker's server certificate and clients' certificates.
 */
// @peculiar/x509 (through tsyringe) needs the Reflect metadata API loaded before it.
import 'reflect-metadata';
import { webcrypto, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
import type { CertificateAuthority, IssuedCertificate } from '../service/contracts.js';
import type { StateStore } from '../store/state-store.js';
import { readOrCreateSecretFile, writeSecretFile } from '../store/state-store.js';
import { readFile } from 'node:fs/promises';

const crypto = webcrypto as unknown as Crypto;
const KEY_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNING_ALGORITHM = { name: 'ECDSA', hash: 'SHA-256' } as const;
const DAY_MS = 86_400_000;

/** A server certificate for the TLS listeners. */
export interface ServerCertificate {
  readonly certificatePem: string;
  readonly privateKeyPem: string;
}

async function exportPrivateKeyPem(key: CryptoKey): Promise<string> {
  const pkcs8 = await crypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(pkcs8, 'PRIVATE KEY');
}

async function importPrivateKeyPem(pem: string): Promise<CryptoKey> {
  const der = x509.PemConverter.decodeFirst(pem);
  return crypto.subtle.importKey('pkcs8', der, KEY_ALGORITHM, false, ['sign']);
}

function randomSerial(): string {
  // Positive 128-bit serial (first bit cleared), as RFC 5280 asks.
  const bytes = randomBytes(16);
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x10;
  return bytes.toString('hex');
}

/** The local CA. Use {@link LocalCertificateAuthority.open}. */
export class LocalCertificateAuthority implements CertificateAuthority {
  readonly caPem: string;
  readonly #caCert: x509.X509Certificate;
  readonly #caKey: CryptoKey;
  readonly #store: StateStore;
  readonly #revoked: Set<string>;
  readonly #validityDays: number;

  private constructor(
    caCert: x509.X509Certificate,
    caKey: CryptoKey,
    store: StateStore,
    revoked: Set<string>,
    validityDays: number,
  ) {
    this.#caCert = caCert;
    this.#caKey = caKey;
    this.caPem = caCert.toString('pem');
    this.#store = store;
    this.#revoked = revoked;
    this.#validityDays = validityDays;
  }

  /** Loads the CA from `<dataDir>/ca/`, creating it on first start. */
  static async open(
    dataDir: string,
    store: StateStore,
    clientValidityDays: number,
  ): Promise<LocalCertificateAuthority> {
    const certPath = join(dataDir, 'ca', 'ca.crt.pem');
    const keyPath = join(dataDir, 'ca', 'ca.key.pem');
    let certPem: string;
    let keyPem: string;
    try {
      certPem = await readFile(certPath, 'utf8');
      keyPem = await readFile(keyPath, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      ({ certPem, keyPem } = await createCa());
      await writeSecretFile(keyPath, keyPem);
      await readOrCreateSecretFile(certPath, () => certPem);
    }
    const revoked = new Set<string>();
    for await (const certificate of store.certificates.values()) {
      if (certificate.revoked) revoked.add(certificate.serialNumber);
    }
    return new LocalCertificateAuthority(
      new x509.X509Certificate(certPem),
      await importPrivateKeyPem(keyPem),
      store,
      revoked,
      clientValidityDays,
    );
  }

  /** Issues a certificate for the TLS listeners (`localhost`, `127.0.0.1` and the given hosts). */
  async issueServerCertificate(hosts: readonly string[]): Promise<ServerCertificate> {
    const names = [...new Set(['localhost', '127.0.0.1', ...hosts])];
    const extensions = [
      new x509.SubjectAlternativeNameExtension(
        names.map((name) =>
          /^[\d.]+$|:/.test(name) ? { type: 'ip' as const, value: name } : { type: 'dns' as const, value: name },
        ),
      ),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
    ];
    return this.#issue('CN=webcomm emulator broker', 825, extensions, randomSerial());
  }

  async issueClientCertificate(clientId: string): Promise<IssuedCertificate> {
    const serialNumber = randomSerial();
    // A typed value, never parsed: as a string, a leading `#` would be read as hex and quotes
    // stripped, so the certificate could name another client than the one asked for.
    // (@peculiar/x509 accepts typed values at run time; its JsonName type lists strings only.)
    const subject = [
      { CN: [{ utf8String: clientId }] },
      { O: ['webcomm emulator client'] },
    ] as unknown as x509.JsonName;
    const issued = await this.#issue(
      subject,
      this.#validityDays,
      [new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth])],
      serialNumber,
    );
    const expiresAt = new Date(Date.now() + this.#validityDays * DAY_MS);
    await this.#store.certificates.put(serialNumber, {
      serialNumber,
      clientId,
      expiresAt: expiresAt.toISOString(),
      revoked: false,
    });
    return { ...issued, caPem: this.caPem, serialNumber, expiresAt };
  }

  async revokeClient(clientId: string): Promise<void> {
    for await (const certificate of this.#store.certificates.values()) {
      if (certificate.clientId !== clientId || certificate.revoked) continue;
      await this.#store.certificates.put(certificate.serialNumber, { ...certificate, revoked: true });
      this.#revoked.add(certificate.serialNumber);
    }
  }

  isRevoked(serialNumber: string): boolean {
    return this.#revoked.has(normalizeSerial(serialNumber));
  }

  async #issue(
    subject: string | x509.JsonName,
    days: number,
    extensions: x509.Extension[],
    serialNumber: string,
  ): Promise<ServerCertificate> {
    const keys = await crypto.subtle.generateKey(KEY_ALGORITHM, true, ['sign', 'verify']);
    const certificate = await x509.X509CertificateGenerator.create(
      {
        serialNumber,
        subject,
        issuer: this.#caCert.subject,
        notBefore: new Date(Date.now() - 60_000),
        notAfter: new Date(Date.now() + days * DAY_MS),
        signingAlgorithm: SIGNING_ALGORITHM,
        publicKey: keys.publicKey,
        signingKey: this.#caKey,
        extensions: [
          new x509.BasicConstraintsExtension(false, undefined, true),
          new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
          await x509.AuthorityKeyIdentifierExtension.create(this.#caCert, false, crypto),
          ...extensions,
        ],
      },
      crypto,
    );
    return { certificatePem: certificate.toString('pem'), privateKeyPem: await exportPrivateKeyPem(keys.privateKey) };
  }
}

/** Node reports serials in upper-case hex without leading zeros; we store lower-case. */
export function normalizeSerial(serial: string): string {
  return serial.toLowerCase().replace(/^0+(?=.)/, '');
}

async function createCa(): Promise<{ certPem: string; keyPem: string }> {
  const keys = await crypto.subtle.generateKey(KEY_ALGORITHM, true, ['sign', 'verify']);
  const certificate = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: randomSerial(),
      name: 'CN=webcomm emulator local CA',
      notBefore: new Date(Date.now() - 60_000),
      notAfter: new Date(Date.now() + 3650 * DAY_MS),
      signingAlgorithm: SIGNING_ALGORITHM,
      keys,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, crypto),
      ],
    },
    crypto,
  );
  return { certPem: certificate.toString('pem'), keyPem: await exportPrivateKeyPem(keys.privateKey) };
}
