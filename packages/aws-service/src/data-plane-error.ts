/**
 * AWS IoT data plane failures as WebcommErrors with stable codes, so a backend matches on
 * `code` whatever SDK version threw: refused credentials or permissions are fatal
 * (`NOT_AUTHORIZED`: retrying cannot help), throttling is `RATE_LIMITED`, the rest `NETWORK`.
 */
import { ERROR_CODES, WebcommError } from '@webcomm/core';

/** The WebcommError for an error the data plane SDK threw while doing `what`. */
export function dataPlaneError(error: unknown, what: string): WebcommError {
  const name = (error as { name?: unknown })?.name;
  const message = (error as { message?: unknown })?.message;
  const detail = `${what}: ${typeof name === 'string' ? name : 'Error'}: ${typeof message === 'string' ? message : String(error)}`;
  switch (name) {
    case 'ForbiddenException':
    case 'UnauthorizedException':
    case 'AccessDeniedException':
    case 'InvalidSignatureException':
    case 'UnrecognizedClientException':
      return new WebcommError(
        ERROR_CODES.NOT_AUTHORIZED,
        `${detail}. Give the backend's role iot:Publish (and iot:DeleteConnection) on the topics, and check its credentials and region.`,
        { cause: error, fatal: true },
      );
    case 'ThrottlingException':
      return new WebcommError(
        ERROR_CODES.RATE_LIMITED,
        `${detail}. IoT Core allows 20,000 inbound publishes per second per account; slow down and retry.`,
        { cause: error },
      );
    case 'InvalidRequestException':
      return new WebcommError(ERROR_CODES.INVALID_TOPIC, `${detail}.`, { cause: error, fatal: true });
    case 'RequestEntityTooLargeException':
      return new WebcommError(ERROR_CODES.INVALID_PAYLOAD, `${detail}.`, { cause: error, fatal: true });
    default:
      return new WebcommError(
        ERROR_CODES.NETWORK,
        `${detail}. Check the endpoint (aws iot describe-endpoint --endpoint-type iot:Data-ATS) and retry.`,
        { cause: error },
      );
  }
}
