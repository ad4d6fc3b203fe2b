/**
 * The IoT data plane through the emulated AWS APIs: `Publish` (`POST /topics/{topic}`) and
 * `DeleteConnection` (`DELETE /connections/{clientId}`), signed for service `iotdata` by a
 * principal the APIs know, are IAM-evaluated against its policies (`iot:Publish` on the topic, and
 * `iot:RetainPublish` too when `retain=true`, as AWS requires; `iot:DeleteConnection` on the
 * client), then signed again with the emulator's backend credentials and forwarded to its data
 * plane, whose answer goes back as it is.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { SigningCredentials } from '../auth/header-signature.js';
import type { IamRequest } from './iam-authorizer.js';

/** The emulator's data plane, where allowed calls go. */
export interface IotDataBackend {
  /** `http://HOST:PORT` of the emulator's data plane (`endpoints.iotData`). */
  readonly endpoint: string;
  /** Its SigV4 region. */
  readonly region: string;
  /** Its backend credentials. Secret. */
  readonly credentials: SigningCredentials;
}

/** The IAM requests of one data-plane call, or undefined when it is none of the two. */
export function iotDataIam(
  method: string,
  path: string,
  query: URLSearchParams,
  iotArn: string,
): IamRequest[] | undefined {
  const topic = /^\/topics\/([^/]+)$/.exec(path)?.[1];
  if (method === 'POST' && topic !== undefined) {
    const resource = `${iotArn}:topic/${decodeURIComponent(topic)}`;
    const publish: IamRequest = { action: 'iot:Publish', resource };
    return query.get('retain') === 'true' ? [{ action: 'iot:RetainPublish', resource }, publish] : [publish];
  }
  const client = /^\/connections\/([^/]+)$/.exec(path)?.[1];
  if (method === 'DELETE' && client !== undefined)
    return [{ action: 'iot:DeleteConnection', resource: `${iotArn}:client/${decodeURIComponent(client)}` }];
  return undefined;
}

/** Signs the call again as the emulator's backend and forwards it. */
export async function forwardToIotData(
  backend: IotDataBackend,
  request: {
    readonly method: string;
    readonly path: string;
    readonly query: URLSearchParams;
    readonly headers: Readonly<Record<string, string | string[] | undefined>>;
    readonly body: Buffer;
  },
): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  const url = new URL(backend.endpoint);
  const headers: Record<string, string> = { host: url.host };
  for (const [name, value] of Object.entries(request.headers))
    if (typeof value === 'string' && (name === 'content-type' || name.startsWith('x-amz-mqtt5-')))
      headers[name] = value;
  const query: Record<string, string> = {};
  for (const [name, value] of request.query) query[name] = value;
  const signer = new SignatureV4({
    credentials: backend.credentials,
    region: backend.region,
    service: 'iotdata',
    sha256: Sha256,
    uriEscapePath: true,
  });
  // The path as sent (escaped once by the SDK); the signer escapes it again, as the SDK and the data plane's verifier do.
  const signed = await signer.sign(
    new HttpRequest({
      method: request.method,
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port === '' ? {} : { port: Number(url.port) }),
      path: request.path,
      query,
      headers,
      body: request.body,
    }),
  );
  const target = `${backend.endpoint}${request.path}${request.query.size > 0 ? `?${request.query.toString()}` : ''}`;
  const answer = await fetch(target, {
    method: request.method,
    headers: signed.headers as Record<string, string>,
    ...(request.body.length > 0 ? { body: new Uint8Array(request.body) } : {}),
  });
  const back: Record<string, string> = { 'content-type': answer.headers.get('content-type') ?? 'application/json' };
  const type = answer.headers.get('x-amzn-errortype');
  if (type !== null) back['x-amzn-errortype'] = type;
  return { status: answer.status, headers: back, body: await answer.text() };
}
