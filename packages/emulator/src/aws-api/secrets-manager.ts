/**
 * Secrets Manager's `GetSecretValue` in the JSON 1.1 form of `@aws-sdk/client-secrets-manager`
 * (`X-Amz-Target: secretsmanager.GetSecretValue`): the service function reads its token signing
 * key with it. A secret is found by its complete ARN, its ARN without AWS's 6-character suffix,
 * or its name; IAM evaluates the complete ARN, as AWS does.
 */
import { AwsApiError } from './aws-api-error.js';
import type { JsonOperation } from './cognito-developer-identities.js';

/** Secrets by complete ARN (`arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME-AbCdEf`) → text. Secret. */
export type SecretValues = Readonly<Record<string, string>>;

/** `arn:…:secret:NAME-AbCdEf` → `NAME`. */
const nameOf = (arn: string): string => arn.slice(arn.indexOf(':secret:') + ':secret:'.length, -7);

/** The operations, by name. */
export function secretOperations(secrets: SecretValues): Record<string, JsonOperation> {
  const matches = (arn: string, id: unknown): boolean => {
    const wanted = String(id ?? '');
    return wanted === arn || wanted === arn.slice(0, -7) || wanted === nameOf(arn);
  };
  const find = (id: unknown): [arn: string, value: string] => {
    const found = Object.entries(secrets).find(([arn]) => matches(arn, id));
    if (found === undefined)
      throw new AwsApiError('ResourceNotFoundException', 400, "Secrets Manager can't find the specified secret.");
    return found;
  };
  return {
    GetSecretValue: {
      // IAM evaluates the secret's complete ARN; an unknown secret is answered by the operation.
      iam: (input) => ({
        action: 'secretsmanager:GetSecretValue',
        resource: Object.keys(secrets).find((arn) => matches(arn, input.SecretId)) ?? '*',
      }),
      run: (input) => {
        const [arn, value] = find(input.SecretId);
        return {
          ARN: arn,
          Name: nameOf(arn),
          SecretString: value,
          VersionId: '00000000-0000-4000-8000-000000000001',
          VersionStages: ['AWSCURRENT'],
          CreatedDate: 0,
        };
      },
    },
  };
}
