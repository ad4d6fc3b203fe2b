/**
 * Client certificate, key and CA as given by the user (PEM text, Buffer, or a file path),
 * loaded and checked before any connection so a bad file fails with a clear, typed error
 * instead of a vague TLS alert.
 */
import { readFileSync } from 'node:fs';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { ERROR_CODES, WebcommError } from '@webcomm/core';
import { assertKnownOptions, hideSecrets } from '@webcomm/core/internal'; // internal: assertKnownOptions, hideSecrets

/** PEM text, PEM bytes, or `{ path }` of a PEM file. */
export type PemSource = string | Uint8Array | { readonly path: string };

/** Loaded, checked TLS material. `key` is secret: never log it. */
export interface TlsMaterial {
  readonly cert: string;
  readonly key: string;
  readonly ca: string | undefined;
  /** When the client certificate stops being valid. */
  readonly validTo: Date;
}

const fatal = (code: (typeof ERROR_CODES)[keyof typeof ERROR_CODES], message: string, cause?: unknown): WebcommError =>
  new WebcommError(code, message, { fatal: true, ...(cause === undefined ? {} : { cause }) });

/** Reads one PEM source; names the option and the path when it cannot. */
export function readPem(source: PemSource, option: string): string {
  if (typeof source === 'string') {
    if (source.includes('-----BEGIN ')) return source;
    throw fatal(
      ERROR_CODES.CERTIFICATE_UNREADABLE,
      `Option "${option}" is not PEM text; to read a file pass { path: "${source.slice(0, 80)}" }.`,
    );
  }
  if (source instanceof Uint8Array) return Buffer.from(source).toString('utf8');
  try {
    const text = readFileSync(source.path, 'utf8');
    if (!text.includes('-----BEGIN ')) throw new Error('no PEM block in the file');
    return text;
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT'
        ? 'does not exist'
        : `cannot be read (${(error as Error).message})`;
    throw fatal(
      ERROR_CODES.CERTIFICATE_UNREADABLE,
      `The ${option} file ${source.path} ${reason}. Check the path, or re-register to get a new identity.`,
      error,
    );
  }
}

/**
 * Loads certificate, key and CA and checks that the key belongs to the certificate and that the
 * certificate is valid now.
 */
export function loadTlsMaterial(
  sources: { cert: PemSource; key: PemSource; ca?: PemSource },
  now: Date = new Date(),
): TlsMaterial {
  assertKnownOptions(sources, ['cert', 'key', 'ca'], 'loadTlsMaterial()');
  const cert = readPem(sources.cert, 'cert');
  const key = readPem(sources.key, 'key');
  const ca = sources.ca === undefined ? undefined : readPem(sources.ca, 'ca');
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(cert);
  } catch (error) {
    throw fatal(
      ERROR_CODES.CERTIFICATE_UNREADABLE,
      `Option "cert" is not a valid X.509 certificate: ${(error as Error).message}.`,
      error,
    );
  }
  let privateKey;
  try {
    privateKey = createPrivateKey(key);
  } catch (error) {
    throw fatal(
      ERROR_CODES.CERTIFICATE_UNREADABLE,
      `Option "key" is not a valid private key: ${(error as Error).message}.`,
      error,
    );
  }
  if (!certificate.checkPrivateKey(privateKey)) {
    throw fatal(
      ERROR_CODES.CERTIFICATE_KEY_MISMATCH,
      `The private key does not belong to the certificate for "${certificate.subject.replace(/\n/g, ', ')}": pass the key issued with it.`,
    );
  }
  const validFrom = new Date(certificate.validFrom);
  const validTo = new Date(certificate.validTo);
  if (now < validFrom || now > validTo) {
    const state = now > validTo ? 'expired' : 'is not valid yet';
    throw fatal(
      ERROR_CODES.CERTIFICATE_EXPIRED,
      `The client certificate ${state}: valid from ${validFrom.toISOString()} to ${validTo.toISOString()} (now ${now.toISOString()}). Re-register, or check this machine's clock.`,
    );
  }
  return hideSecrets({ cert, key, ca, validTo });
}
