/**
 * The service API as a Lambda function behind an API Gateway HTTP API: each event becomes a
 * `ServiceRequest` for `@webcomm/service`'s route code (the code the emulator runs), and its
 * answer an HTTP API result. The operator is whoever API Gateway authorized with IAM (the
 * `/admin` routes); no admin token exists on AWS.
 */
import {
  createServiceApi,
  HttpProblem,
  parseJsonBody,
  problemResponse,
  sourceAddress,
  type ServiceApiOptions,
  type ServicePorts,
  type ServiceRequest,
  type ServiceResponse,
} from '@webcomm/service';
import type { HttpApiEvent, HttpApiResult } from './http-api-event.js';

/** A Lambda handler of HTTP API events. */
export type HttpApiHandler = (event: HttpApiEvent) => Promise<HttpApiResult>;

/** The request the route code sees for `event`. */
export function serviceRequestOf(event: HttpApiEvent): ServiceRequest {
  const headers = event.headers ?? {};
  const iam = event.requestContext.authorizer?.iam;
  const text =
    event.body === undefined
      ? ''
      : event.isBase64Encoded
        ? Buffer.from(event.body, 'base64').toString('utf8')
        : event.body;
  return {
    method: event.requestContext.http.method.toUpperCase(),
    path: event.rawPath,
    query: new URLSearchParams(event.rawQueryString),
    headers,
    sourceAddress: sourceAddress(event.requestContext.http.sourceIp),
    ...(iam === undefined ? {} : { principal: iam.userArn ?? iam.accessKey ?? 'iam' }),
    readJson: async (maxBytes) => parseJsonBody(text, headers['content-type'], maxBytes),
  };
}

function resultOf(answer: ServiceResponse): HttpApiResult {
  return {
    statusCode: answer.status,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...answer.headers },
    body: JSON.stringify(answer.body),
  };
}

/** Options of {@link createServiceHandler}: the route options other than the operator check. */
export type ServiceHandlerOptions = Omit<ServiceApiOptions, 'isOperator' | 'operatorHint'>;

/**
 * Builds the handler over `ports` (a function, so a cold start builds them once and a test
 * passes its own). Any failure answers that one request with 500 `INTERNAL`, logged without the
 * body (it may hold a message or a token).
 */
export function createServiceHandler(
  ports: ServicePorts | (() => Promise<ServicePorts>),
  options: ServiceHandlerOptions = {},
): HttpApiHandler {
  let api: ReturnType<typeof createServiceApi> | undefined;
  const apiFor = async (): Promise<ReturnType<typeof createServiceApi>> =>
    (api ??= createServiceApi(typeof ports === 'function' ? await ports() : ports, {
      ...options,
      isOperator: (request) => request.principal !== undefined,
      operatorHint:
        'The /admin routes need IAM authorization (SigV4-signed with credentials allowed execute-api:Invoke on them).',
    }));
  return async (event) => {
    try {
      const request = serviceRequestOf(event);
      const answer = await (await apiFor())(request);
      return resultOf(
        answer ??
          problemResponse(
            new HttpProblem(
              404,
              'NOT_FOUND',
              `No route for ${request.method} ${request.path}; see docs/deploying-to-aws.md for the API.`,
            ),
          ),
      );
    } catch (error) {
      if (error instanceof HttpProblem) return resultOf(problemResponse(error));
      console.error(
        `webcomm service: ${event.requestContext.http.method} ${event.rawPath}: ${(error as Error)?.message ?? String(error)}`,
      );
      return resultOf(problemResponse(new HttpProblem(500, 'INTERNAL', 'Internal error; the function log says more.')));
    }
  };
}
