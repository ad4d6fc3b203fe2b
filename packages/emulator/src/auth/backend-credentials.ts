/**
 * The emulator's backend credentials: the one IAM-style key pair its IoT data plane
 * (`POST /topics/{topic}`, `DELETE /connections/{clientId}`) accepts, as a game backend's role
 * would hold `iot:Publish` and `iot:DeleteConnection` on AWS. Made on first start and kept in
 * `<dataDir>/backend-credentials` (mode 0600), so a backend keeps working across restarts.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { ERROR_CODES, WebcommError } from '@webcomm/core';
import { hideSecrets } from '@webcomm/core/internal';
import { readOrCreateSecretFile } from '../store/state-store.js';
import type { SigningCredentials } from './header-signature.js';

/**
 * What the backend credentials may do over MQTT (a SigV4 WebSocket URL signed with them), as an
 * IAM role with this policy could on AWS: connect as any client id, subscribe to and receive any
 * topic, lifecycle events included, and publish (the reserved `$aws/events/` stay refused).
 */
export const BACKEND_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Action: ['iot:Connect', 'iot:Subscribe', 'iot:Receive', 'iot:Publish'], Resource: '*' },
  ],
});

/** File name inside the data directory. */
export const BACKEND_CREDENTIALS_FILE = 'backend-credentials';

const KEY_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function newCredentials(): SigningCredentials {
  // The shapes AWS uses: a 20-character AKIA… id, a 40-character secret.
  const id = Array.from(randomBytes(16), (byte) => KEY_ALPHABET[byte % 32]).join('');
  return { accessKeyId: `AKIA${id}`, secretAccessKey: randomBytes(30).toString('base64') };
}

/**
 * The credentials as a value users hold and print: `util.inspect`, `console.log` and
 * `JSON.stringify` show the secret as `[REDACTED]`, wherever the object is nested; spreading
 * copies the real fields (what a signer or the endpoints file needs).
 */
export function shownRedacted(credentials: SigningCredentials): SigningCredentials {
  return hideSecrets({ accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey });
}

/** Reads the backend credentials of `dataDir`, creating them on first use (secret hidden from printing). */
export async function backendCredentials(dataDir: string): Promise<SigningCredentials> {
  const path = join(dataDir, BACKEND_CREDENTIALS_FILE);
  const text = await readOrCreateSecretFile(path, () => JSON.stringify(newCredentials()));
  let parsed: Partial<SigningCredentials> | undefined;
  try {
    parsed = JSON.parse(text) as Partial<SigningCredentials>;
  } catch {
    parsed = undefined;
  }
  if (
    typeof parsed?.accessKeyId !== 'string' ||
    typeof parsed.secretAccessKey !== 'string' ||
    parsed.accessKeyId === '' ||
    parsed.secretAccessKey === ''
  ) {
    throw new WebcommError(
      ERROR_CODES.INVALID_OPTION,
      `${path} is not {"accessKeyId", "secretAccessKey"} JSON; delete it and the emulator makes new backend credentials on start.`,
    );
  }
  return shownRedacted({ accessKeyId: parsed.accessKeyId, secretAccessKey: parsed.secretAccessKey });
}
