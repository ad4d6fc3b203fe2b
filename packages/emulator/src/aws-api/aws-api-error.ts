/**
 * AWS's error answers, in the two wire protocols the emulated APIs speak: REST-JSON (IoT: the
 * type in the `x-amzn-ErrorType` header, `{"message"}` in the body) and JSON 1.1 (Cognito
 * Identity: `{"__type", "message"}`). The AWS SDK v3 reads either into an exception whose
 * `name` is the type, so a test matches `AccessDeniedException` as it would on AWS.
 */
import type { ServerResponse } from 'node:http';

/** An AWS error: its type (the SDK exception name), HTTP status and message. */
export class AwsApiError extends Error {
  constructor(
    readonly type: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'AwsApiError';
  }
}

/** The wire protocol of an API. */
export type AwsProtocol = 'rest-json' | 'json-1.1';

/** IAM's refusal, worded as AWS words it. */
export function accessDenied(callerArn: string, action: string, resource: string, explicit: boolean): AwsApiError {
  const why = explicit
    ? 'with an explicit deny in an identity-based policy'
    : `because no identity-based policy allows the ${action} action`;
  return new AwsApiError(
    'AccessDeniedException',
    403,
    `User: ${callerArn} is not authorized to perform: ${action} on resource: ${resource} ${why}`,
  );
}

/** An operation the emulator does not serve: loud, never a silent success. */
export function unknownOperation(what: string): AwsApiError {
  return new AwsApiError(
    'UnknownOperationException',
    404,
    `${what} is not an operation the webcomm emulator serves; docs/deploying-to-aws.md lists the emulated calls.`,
  );
}

/** Writes `body` (or an error) in `protocol`'s form. */
export function sendAws(response: ServerResponse, protocol: AwsProtocol, status: number, body: unknown): void {
  const text = JSON.stringify(body ?? {});
  response.writeHead(status, {
    'content-type': protocol === 'json-1.1' ? 'application/x-amz-json-1.1' : 'application/json',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': crypto.randomUUID(),
  });
  response.end(text);
}

/** Writes `error` in `protocol`'s form. */
export function sendAwsError(response: ServerResponse, protocol: AwsProtocol, error: AwsApiError): void {
  const body = protocol === 'json-1.1' ? { __type: error.type, message: error.message } : { message: error.message };
  const text = JSON.stringify(body);
  response.writeHead(protocol === 'json-1.1' && error.status === 404 ? 400 : error.status, {
    'content-type': protocol === 'json-1.1' ? 'application/x-amz-json-1.1' : 'application/json',
    'content-length': Buffer.byteLength(text),
    'x-amzn-errortype': error.type,
    'x-amzn-requestid': crypto.randomUUID(),
  });
  response.end(text);
}
