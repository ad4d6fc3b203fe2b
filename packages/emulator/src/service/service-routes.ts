/**
 * The emulator's home for the service API: the route code is `@webcomm/service`'s
 * `createServiceApi` (the same code the AWS Lambda handlers run); this file gives it the
 * emulator's ports (the user table, service tokens, local CA, Cognito emulation, aedes) and
 * turns Node requests into `ServiceRequest`s and answers back. The route table is in
 * packages/service/src/service-api.ts.
 */
import type { IncomingMessage } from 'node:http';
import { MESSAGE_ID_PROPERTY } from '@webcomm/core';
import {
  bearerToken,
  createServiceApi,
  MAX_MESSAGE_BYTES,
  sourceAddress,
  type RateLimit,
  type ServicePorts,
  type ServiceRequest,
} from '@webcomm/service';
import type { RouteHandler, ServiceDeps } from './contracts.js';
import { readJson, secretMatches, sendJson } from './http-io.js';
import type { ServiceTokens } from './service-tokens.js';

/** IoT Core's largest payload, and so the publish API's. */
export { MAX_MESSAGE_BYTES };

/** What the routes need beyond {@link ServiceDeps}. */
export interface ServiceRouteOptions {
  readonly tokens: ServiceTokens;
  /** @default DEFAULT_RATE_LIMIT (10 at once, 2/s) */
  readonly rateLimit?: RateLimit;
  /** Registrations per source address. @default DEFAULT_REGISTRATION_RATE_LIMIT (20 at once, 1/s) */
  readonly registrationRateLimit?: RateLimit;
  /** Anyone may register as OPENSSL without the admin token. @default false */
  readonly certificateSelfRegistration?: boolean;
  /** Milliseconds now, for the rate limiters. @default Date.now */
  readonly now?: () => number;
}

/** The emulator's implementations of the service's ports. */
export function emulatorPorts(deps: ServiceDeps, tokens: ServiceTokens): ServicePorts {
  const { users, channels, ca, identities, broker, endpoints } = deps;
  return {
    users,
    tokens,
    channels,
    identities,
    certificates: ca,
    broker: {
      disconnectPrincipal: (id, reason) => broker.disconnectPrincipal(id, reason),
      disconnectClient: (id) => broker.disconnectClient(id),
      connectedClients: () => broker.connectedClients(),
      ...(broker.connections === undefined ? {} : { connections: () => broker.connections?.() ?? [] }),
    },
    publisher: {
      publish: (topic, payload, { messageId, ...options }) =>
        broker.publish(topic, payload, {
          ...options,
          properties: { userProperties: { [MESSAGE_ID_PROPERTY]: messageId } },
        }),
    },
    endpoints,
  };
}

/** A Node request as the service API sees it; the body is read (with its limits) only when a route asks. */
export function toServiceRequest(request: IncomingMessage): ServiceRequest {
  const target = request.url ?? '/';
  const question = target.indexOf('?');
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(request.headers))
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  return {
    method: request.method ?? 'GET',
    path: question < 0 ? target : target.slice(0, question),
    query: new URLSearchParams(question < 0 ? '' : target.slice(question + 1)),
    headers,
    secure: (request.socket as { encrypted?: boolean }).encrypted === true,
    sourceAddress: sourceAddress(request.socket.remoteAddress),
    readJson: (maxBytes) => readJson(request, maxBytes),
  };
}

/** Builds the service routes over the broker side's parts. */
export function createServiceRoutes(deps: ServiceDeps, options: ServiceRouteOptions): RouteHandler {
  const api = createServiceApi(emulatorPorts(deps, options.tokens), {
    isOperator: (request) => secretMatches(bearerToken(request.headers.authorization), deps.adminToken),
    operatorHint: 'Send "Authorization: Bearer <admin token>"; the token is in the data directory (admin-token).',
    ...(options.rateLimit ? { rateLimit: options.rateLimit } : {}),
    ...(options.registrationRateLimit ? { registrationRateLimit: options.registrationRateLimit } : {}),
    ...(options.certificateSelfRegistration === undefined
      ? {}
      : { certificateSelfRegistration: options.certificateSelfRegistration }),
    ...(options.now ? { now: options.now } : {}),
  });
  return async (request, response) => {
    const answer = await api(toServiceRequest(request));
    if (answer === undefined) return false;
    sendJson(response, answer.status, answer.body, { ...answer.headers });
    return true;
  };
}
