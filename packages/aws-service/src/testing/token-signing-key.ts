/**
 * A token signing key for tests: an RSA pair made now and the secret that would hold its private
 * key (a complete ARN, so IAM evaluation of `GetSecretValue` sees the ARN AWS would).
 */
import { generateKeyPairSync } from 'node:crypto';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import type { CustomAuthorizerProps } from '../cdk/web-communicator-props.js';

/** The pair, the secret's ARN and the construct props naming them. */
export interface TestTokenSigningKey {
  readonly props: CustomAuthorizerProps;
  readonly publicKeyPem: string;
  /** Secret. */
  readonly privateKeyPem: string;
  readonly secretArn: string;
}

/** Makes a key pair and imports the secret `webcomm/token-signing-key` of `region`/`account` into `scope`. */
export function testTokenSigningKey(scope: Construct, region: string, account: string): TestTokenSigningKey {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const secretArn = `arn:aws:secretsmanager:${region}:${account}:secret:webcomm/token-signing-key-AbCdEf`;
  return {
    props: {
      tokenSigningPublicKeyPem: publicKeyPem,
      tokenSigningKey: Secret.fromSecretCompleteArn(scope, 'TokenSigningKey', secretArn),
    },
    publicKeyPem,
    privateKeyPem,
    secretArn,
  };
}
