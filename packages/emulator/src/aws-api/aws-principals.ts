/**
 * The IAM principals of the emulated AWS APIs: each holds an access key pair and the identity
 * policies AWS would evaluate for it (a Lambda function's role, as the template declares it).
 * A request is accepted from a principal only when its SigV4 signature verifies with that
 * principal's secret; its policies may be replaced at run time (a test removes a grant).
 */
import { verifyHeaderSignature, type SignedRequest } from '../auth/header-signature.js';
import { AwsApiError } from './aws-api-error.js';

/** An IAM policy document (identity policy). */
export interface IamPolicyDocument {
  readonly Version: '2012-10-17';
  readonly Statement: readonly object[];
}

/** A principal: who signs, and what IAM allows it. The secret is never logged. */
export interface AwsPrincipal {
  /** `arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION` or `arn:aws:iam::ACCOUNT:user/NAME`. */
  readonly arn: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** Its identity policies. */
  policies: readonly IamPolicyDocument[];
}

const CREDENTIAL = /Credential=([^/,\s]+)\//;

/** Finds the principal a request is signed by and verifies the signature; throws AWS's errors. */
export async function signedCaller(
  request: SignedRequest,
  principals: ReadonlyMap<string, AwsPrincipal>,
  deps: { readonly region: string; readonly service: string; readonly now: number },
): Promise<AwsPrincipal> {
  const authorization = request.headers.authorization;
  if (authorization === undefined)
    throw new AwsApiError(
      'MissingAuthenticationTokenException',
      403,
      'Missing Authentication Token: sign the request with SigV4 (the AWS SDK does).',
    );
  const accessKeyId = CREDENTIAL.exec(typeof authorization === 'string' ? authorization : '')?.[1];
  const principal = accessKeyId === undefined ? undefined : principals.get(accessKeyId);
  if (principal === undefined)
    throw new AwsApiError(
      'UnrecognizedClientException',
      403,
      'The security token included in the request is invalid: sign with the credentials of a principal the emulator knows.',
    );
  const verdict = await verifyHeaderSignature(request, { credentials: principal, ...deps });
  if (!verdict.ok) {
    const type = verdict.check === 'bad-signature' ? 'InvalidSignatureException' : 'IncompleteSignatureException';
    throw new AwsApiError(type, 403, verdict.message);
  }
  return principal;
}
