/**
 * Service tokens signed for an IoT custom authorizer with token signing enabled: IoT verifies
 * the client's `x-amz-customauthorizer-signature` (base64 RSA-SHA256 of the token) with the
 * authorizer's public key before it invokes, and bills, the authorizer function, so a forged
 * token costs nothing. The private key lives in Secrets Manager and is read once per cold start.
 */
import { createPrivateKey, sign, type KeyObject } from 'node:crypto';
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ERROR_CODES, WebcommError } from '@webcomm/core';
import type { TokenSigner } from '@webcomm/service';

/** A signer over an RSA private key (PEM). */
export function rsaTokenSigner(privateKeyPem: string): TokenSigner {
  let key: KeyObject;
  try {
    key = createPrivateKey(privateKeyPem);
  } catch (error) {
    throw new WebcommError(
      ERROR_CODES.INVALID_OPTION,
      'The token signing key is not a PEM private key; store the output of `openssl genrsa 2048` in the secret.',
      { cause: error },
    );
  }
  if (key.asymmetricKeyType !== 'rsa')
    throw new WebcommError(
      ERROR_CODES.INVALID_OPTION,
      `The token signing key is ${key.asymmetricKeyType ?? 'not asymmetric'}; IoT custom authorizers verify RSA signatures (openssl genrsa 2048).`,
    );
  return { sign: async (token) => sign('sha256', Buffer.from(token, 'utf8'), key).toString('base64') };
}

/** Reads the PEM private key from the secret `secretId` (ARN or name) and builds the signer. */
export async function secretTokenSigner(secrets: SecretsManagerClient, secretId: string): Promise<TokenSigner> {
  const answer = await secrets.send(new GetSecretValueCommand({ SecretId: secretId }));
  if (answer.SecretString === undefined || answer.SecretString === '')
    throw new WebcommError(
      ERROR_CODES.INVALID_OPTION,
      `Secret ${secretId} holds no text; store the PEM private key as its SecretString.`,
    );
  return rsaTokenSigner(answer.SecretString);
}
