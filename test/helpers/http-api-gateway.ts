/**
 * A local stand-in for API Gateway's HTTP API in front of a Lambda handler: each request
 * becomes a payload-2.0 event (as API Gateway builds it) passed to the handler, and the result
 * becomes the answer. No IAM here: a test calls `/admin` routes through {@link adminEvent}, the
 * event API Gateway hands the function after verifying a SigV4 signature.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HttpApiEvent, HttpApiHandler } from '@webcomm/aws-service';

/** A running stand-in. */
export interface HttpApiGateway {
  readonly url: string;
  /** Every event handed to the function. */
  readonly events: HttpApiEvent[];
  close(): Promise<void>;
}

/** The event API Gateway builds for a request. */
export function httpApiEvent(
  method: string,
  target: string,
  options: { body?: string; headers?: Record<string, string>; sourceIp?: string; iamUser?: string } = {},
): HttpApiEvent {
  const [path = '/', query = ''] = target.split('?');
  return {
    version: '2.0',
    routeKey: `${method} ${path}`,
    rawPath: path,
    rawQueryString: query,
    headers: Object.fromEntries(Object.entries(options.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
    ...(options.body === undefined ? {} : { body: options.body }),
    isBase64Encoded: false,
    requestContext: {
      http: { method, path, sourceIp: options.sourceIp ?? '127.0.0.1' },
      ...(options.iamUser === undefined
        ? {}
        : {
            authorizer: {
              iam: { userArn: options.iamUser, accessKey: 'AKIAOPERATOR00000000', accountId: '123456789012' },
            },
          }),
    },
  };
}

/** An `/admin` call as the function receives it behind the IAM authorizer. */
export function adminEvent(method: string, target: string, body?: unknown): HttpApiEvent {
  return httpApiEvent(method, target, {
    iamUser: 'arn:aws:iam::123456789012:user/operator',
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

/** Serves `handler` on 127.0.0.1 port 0; `/admin/*` is refused (403) as API Gateway does without a signature. */
export async function startHttpApiGateway(handler: HttpApiHandler): Promise<HttpApiGateway> {
  const events: HttpApiEvent[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const target = request.url ?? '/';
      if (target.startsWith('/admin/')) {
        response.writeHead(403, { 'content-type': 'application/json' }).end('{"message":"Forbidden"}');
        return;
      }
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(request.headers))
        if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
      const body = Buffer.concat(chunks).toString('utf8');
      const event = httpApiEvent(request.method ?? 'GET', target, {
        headers,
        ...(body === '' ? {} : { body }),
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
      });
      events.push(event);
      handler(event).then(
        (result) => response.writeHead(result.statusCode, result.headers).end(result.body),
        () => response.writeHead(502).end('{"message":"Internal server error"}'),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    events,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
