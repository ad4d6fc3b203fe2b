/**
 * The IoT data plane's HTTP API, the two calls a game backend makes (what
 * `@aws-sdk/client-iot-data-plane` sends, unchanged):
 *
 * | method | path | does |
 * |---|---|---|
 * | POST | /topics/{topic}?qos=0\|1&retain=&contentType=&responseTopic=&messageExpiry= | `Publish`: the body is the payload, published as the service (no client policy applies), with its MQTT 5 properties (publish-properties.ts) |
 * | DELETE | /connections/{clientId}?cleanSession=&preventWillMessage= | `DeleteConnection`: drops the live connection (`API_INITIATED_DISCONNECT`; MQTT 5: DISCONNECT 0x98, 3.1.1: the socket closes), ends its persistent session when `cleanSession=true`, sends no will when `preventWillMessage=true` |
 *
 * Every request must carry a SigV4 `Authorization` header for service `iotdata`, signed with the
 * emulator's backend credentials; anything else gets 403 `ForbiddenException`. Errors are AWS's
 * REST-JSON shape (`x-amzn-ErrorType` header, `{"message"}` body), so the SDK raises its own
 * exception classes.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import { verifyHeaderSignature, type SigningCredentials } from '../auth/header-signature.js';
import { IOT_LIMITS, topicProblem } from '../broker/iot-limits.js';
import type { DeleteConnectionOptions } from '../broker/local-broker-control.js';
import type { MessageProperties } from '../broker/message-properties.js';
import type { RouteHandler } from '../service/contracts.js';
import { HttpProblem, readBody } from '../service/http-io.js';
import { PublishPropertyProblem, publishProperties } from './publish-properties.js';
import { decodePathParameter, parseRequestTarget } from './request-target.js';

/** The SigV4 service name the IoT data plane SDK signs with. */
export const IOT_DATA_SIGNING_SERVICE = 'iotdata';

/** The broker as the data plane drives it (`LocalBrokerControl`). */
export interface DataPlaneBroker {
  publish(
    topic: string,
    payload: Uint8Array,
    options: { qos: 0 | 1; retain: boolean; properties: MessageProperties },
  ): Promise<void>;
  deleteConnection(clientId: string, options: DeleteConnectionOptions): boolean;
}

/** What the data plane needs. */
export interface IotDataDeps {
  readonly broker: DataPlaneBroker;
  readonly credentials: SigningCredentials;
  readonly region: string;
  readonly clock: Clock;
  readonly logger: Logger;
}

class AwsError extends Error {
  readonly status: number;
  readonly type: string;
  constructor(status: number, type: string, message: string) {
    super(message);
    this.status = status;
    this.type = type;
  }
}

const invalid = (message: string): AwsError => new AwsError(400, 'InvalidRequestException', message);

function sendAws(response: ServerResponse, status: number, body: object, type?: string): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
    ...(type === undefined ? {} : { 'x-amzn-errortype': type }),
  });
  response.end(text);
}

function flag(query: URLSearchParams, name: string): boolean {
  const value = query.get(name);
  if (value === null) return false;
  if (value !== 'true' && value !== 'false') throw invalid(`Query parameter "${name}" must be true or false.`);
  return value === 'true';
}

function pathParameter(raw: string, what: string): string {
  const value = decodePathParameter(raw);
  if (value === undefined || value === '')
    throw invalid(`The ${what} in the path is empty or has a malformed percent escape.`);
  return value;
}

/** Builds the data-plane routes; they answer `/topics/*` and `/connections/*` only. */
export function createIotDataRoutes(deps: IotDataDeps): RouteHandler {
  const publish = async (
    topic: string,
    request: { query: URLSearchParams; headers: IncomingMessage['headers'] },
    body: Buffer,
    response: ServerResponse,
  ): Promise<void> => {
    const { query } = request;
    const problem = topicProblem(topic, IOT_LIMITS);
    if (problem !== undefined) throw invalid(`Topic "${topic.slice(0, 64)}": ${problem.message}.`);
    if (/[+#]/.test(topic) || topic.startsWith('$'))
      throw invalid(`Topic "${topic.slice(0, 64)}" has a wildcard or a leading "$"; publish to a concrete topic.`);
    const qosText = query.get('qos') ?? '0';
    if (qosText !== '0' && qosText !== '1')
      throw invalid('Query parameter "qos" must be 0 or 1 (IoT Core has no QoS 2).');
    const retain = flag(query, 'retain');
    let properties: MessageProperties;
    try {
      properties = publishProperties(query, request.headers);
    } catch (error) {
      if (error instanceof PublishPropertyProblem) throw invalid(error.message);
      throw error;
    }
    await deps.broker.publish(topic, body, { qos: qosText === '1' ? 1 : 0, retain, properties });
    sendAws(response, 200, {});
  };

  const deleteConnection = (clientId: string, query: URLSearchParams, response: ServerResponse): void => {
    const options = {
      cleanSession: flag(query, 'cleanSession'),
      preventWillMessage: flag(query, 'preventWillMessage'),
    };
    if (!deps.broker.deleteConnection(clientId, options))
      throw new AwsError(404, 'ResourceNotFoundException', `No connection with client id "${clientId.slice(0, 128)}".`);
    deps.logger.info(`iotdata: DeleteConnection dropped "${clientId}"`);
    sendAws(response, 200, {});
  };

  return async (request: IncomingMessage, response: ServerResponse) => {
    const url = parseRequestTarget(request.url);
    const path = url?.pathname ?? '';
    const topicMatch = /^\/topics\/([^/]+)$/.exec(path);
    const connectionMatch = /^\/connections\/([^/]+)$/.exec(path);
    if (url === undefined || (topicMatch === null && connectionMatch === null)) return false;
    try {
      const method = topicMatch === null ? 'DELETE' : 'POST';
      if (request.method !== method)
        throw new AwsError(
          405,
          'MethodNotAllowedException',
          `Use ${method} for ${topicMatch === null ? '/connections/{clientId}' : '/topics/{topic}'}.`,
        );
      let body: Buffer;
      try {
        body = await readBody(request, IOT_LIMITS.maxPayloadBytes);
      } catch (error) {
        if (error instanceof HttpProblem && error.status === 413)
          throw new AwsError(
            413,
            'RequestEntityTooLargeException',
            `The payload is over ${IOT_LIMITS.maxPayloadBytes} bytes.`,
          );
        throw error;
      }
      const verdict = await verifyHeaderSignature(
        { method: request.method, path: path, query: url.searchParams, headers: request.headers, body },
        {
          credentials: deps.credentials,
          region: deps.region,
          service: IOT_DATA_SIGNING_SERVICE,
          now: deps.clock.now(),
        },
      );
      if (!verdict.ok) {
        deps.logger.warn(
          `iotdata: ${request.method} ${topicMatch === null ? '/connections' : '/topics'} refused (${verdict.check})`,
        );
        throw new AwsError(403, 'ForbiddenException', verdict.message);
      }
      if (topicMatch !== null)
        await publish(
          pathParameter(topicMatch[1] ?? '', 'topic'),
          { query: url.searchParams, headers: request.headers },
          body,
          response,
        );
      else deleteConnection(pathParameter(connectionMatch?.[1] ?? '', 'client id'), url.searchParams, response);
    } catch (error) {
      if (error instanceof AwsError) sendAws(response, error.status, { message: error.message }, error.type);
      else if (error instanceof HttpProblem)
        sendAws(response, error.status, { message: error.message }, 'InvalidRequestException');
      else throw error;
    }
    return true;
  };
}
