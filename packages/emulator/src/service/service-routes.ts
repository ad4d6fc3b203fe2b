/**
 * The Web Communicator service API of the emulator:
 *
 * | method | path | auth | does |
 * |---|---|---|---|
 * | POST | /register | none (an existing client id: its service token); rate-limited per address | identity + channels (+ certificate for OPENSSL); see register-route.ts |
 * | GET | /channels | service token | the caller's channels |
 * | GET | /status | service token | the caller's status (`active` or `banned`), also when banned |
 * | POST | /publish | service token | validated client publish |
 * | GET | /admin/users | admin token | one page of the user table (`?search=&offset=&limit=`, see user-page.ts) |
 * | GET | /admin/users/:id | admin token | one user and its live connections |
 * | PUT | /admin/users/:id/status | admin token | set `active` or `banned` |
 * | PUT | /admin/users/:id/publish | admin token | `{channels}`: the identity's direct broker publish grants |
 * | POST | /admin/publish | admin token | cloud-side publish on any channel (`qos` 0 or 1, default 1) |
 * | GET | /admin/channels | admin token | the channel configuration, with `trustedPublish` |
 * | GET | /admin/clients | admin token | connected client ids |
 * | DELETE | /admin/connections/:clientId | admin token | kick: drop a live client without banning it (IoT's DeleteConnection) |
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PublishRequest, UserStatus } from '@webcomm/core';
import { encodeChannelMessage, MAX_MESSAGE_BYTES } from '@webcomm/service';
import type { RouteHandler, ServiceDeps } from './contracts.js';
import { decodePathParameter } from '../http/request-target.js';
import { clientStatusRoute } from './client-status-route.js';
import { bearerToken, HttpProblem, jsonBytes, readJson, secretMatches, sendJson, sendProblem } from './http-io.js';
import { RateLimiter, type RateLimit } from './rate-limiter.js';
import { createRegisterHandler } from './register-route.js';
import type { ServiceTokens } from './service-tokens.js';
import { userPage } from './user-page.js';

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

type Handler = (request: IncomingMessage, response: ServerResponse, params: string[]) => Promise<void>;

/** Builds the service routes over the broker side's parts. */
export function createServiceRoutes(deps: ServiceDeps, options: ServiceRouteOptions): RouteHandler {
  const { users, channels, ca, identities, broker, adminToken } = deps;
  const { tokens } = options;
  const limiter = new RateLimiter(options.rateLimit, options.now);

  const requireAdmin = (request: IncomingMessage): void => {
    if (!secretMatches(bearerToken(request), adminToken)) {
      throw new HttpProblem(401, 'ADMIN_TOKEN_REQUIRED', 'Send "Authorization: Bearer <admin token>"; the token is in the data directory (admin-token).');
    }
  };
  const requireClient = async (request: IncomingMessage): Promise<string> => {
    const token = bearerToken(request);
    const clientId = token === undefined ? undefined : await tokens.resolve(token);
    if (clientId === undefined) {
      throw new HttpProblem(401, 'SERVICE_TOKEN_REQUIRED', 'Send "Authorization: Bearer <serviceToken>" from your POST /register answer.');
    }
    if (users.isBanned(clientId)) throw new HttpProblem(403, 'BANNED', `Client "${clientId}" is banned.`);
    return clientId;
  };

  const register: Handler = createRegisterHandler(deps, {
    tokens,
    ...(options.registrationRateLimit ? { rateLimit: options.registrationRateLimit } : {}),
    ...(options.certificateSelfRegistration === undefined ? {} : { certificateSelfRegistration: options.certificateSelfRegistration }),
    ...(options.now ? { now: options.now } : {}),
  });

  const listChannels: Handler = async (request, response) => {
    const clientId = await requireClient(request);
    sendJson(response, 200, { channels: channels.forClient(clientId) });
  };

  const clientPublish: Handler = async (request, response) => {
    const clientId = await requireClient(request);
    const decision = limiter.take(clientId);
    if (!decision.allowed) {
      const seconds = String(Math.ceil(decision.retryAfterMs / 1000));
      throw new HttpProblem(429, 'RATE_LIMITED', `Too many publishes; retry after ${seconds} s.`, { 'retry-after': seconds });
    }
    const body = (await readJson(request, MAX_MESSAGE_BYTES + 4_096)) as Partial<PublishRequest> | null;
    const { channelName, message } = publishFields(body);
    const channel = channels.find(channelName, clientId);
    if (channel === undefined) throw new HttpProblem(404, 'UNKNOWN_CHANNEL', `No channel "${channelName}"; GET /channels lists yours.`);
    if (!channel.clientPublish) throw new HttpProblem(403, 'CHANNEL_NOT_PUBLISHABLE', `Channel "${channelName}" does not accept client publishes.`);
    await broker.publish(channel.topic, encodeMessage(message), { qos: 1 });
    sendJson(response, 200, { published: true, channel: channel.name, topic: channel.topic });
  };

  const adminUsers: Handler = async (request, response) => {
    requireAdmin(request);
    const query = new URL(request.url ?? '/', 'http://local').searchParams;
    sendJson(response, 200, userPage(await users.list(), query));
  };

  const adminUser: Handler = async (request, response, [id = '']) => {
    requireAdmin(request);
    const user = await users.get(id);
    if (user === undefined) throw new HttpProblem(404, 'UNKNOWN_USER', `No user "${id}".`);
    const connections = (broker.connections?.() ?? broker.connectedClients().map((clientId) => ({ clientId, principalId: clientId }))).filter(
      (connection) => connection.clientId === id || connection.principalId === id,
    );
    sendJson(response, 200, { user, connections });
  };

  const adminSetStatus: Handler = async (request, response, [id = '']) => {
    requireAdmin(request);
    const body = (await readJson(request, 4_096)) as { status?: UserStatus } | null;
    const status = body?.status;
    if (status !== 'active' && status !== 'banned') throw new HttpProblem(400, 'BAD_REQUEST', 'Field "status" must be "active" or "banned".');
    if ((await users.get(id)) === undefined) throw new HttpProblem(404, 'UNKNOWN_USER', `No user "${id}".`);
    const user = await users.setStatus(id, status);
    let disconnected = 0;
    if (status === 'banned') {
      // Revoke first, so a reconnect racing the disconnect is already refused.
      await ca.revokeClient(id);
      await identities.revokeIdentity(id);
      disconnected = broker.disconnectPrincipal(id, 'API_INITIATED_DISCONNECT');
    }
    sendJson(response, 200, { user, disconnected });
  };

  const adminSetPublish: Handler = async (request, response, [id = '']) => {
    requireAdmin(request);
    const body = (await readJson(request, 4_096)) as { channels?: unknown } | null;
    const names = body?.channels;
    if (!Array.isArray(names) || names.length > 64 || !names.every((name) => typeof name === 'string' && name !== '')) {
      throw new HttpProblem(400, 'BAD_REQUEST', 'Field "channels" must be a list of channel names ([] revokes every grant).');
    }
    if ((await users.get(id)) === undefined) throw new HttpProblem(404, 'UNKNOWN_USER', `No user "${id}".`);
    const grantable = channels.trustedPublishTopics?.(id) ?? [];
    for (const name of names as string[]) {
      const channel = channels.find(name, id);
      if (channel === undefined || !grantable.includes(channel.topic)) {
        throw new HttpProblem(400, 'CHANNEL_NOT_GRANTABLE', `Channel "${name}" does not allow direct broker publish; mark it "trustedPublish": true in channels.json first.`);
      }
    }
    const user = await users.setBrokerPublish(id, names as string[]);
    // A policy is fixed at CONNECT: drop live links so the client reconnects with the new grants.
    const disconnected = broker.disconnectPrincipal(id, 'API_INITIATED_DISCONNECT');
    sendJson(response, 200, { user, disconnected });
  };

  const adminPublish: Handler = async (request, response) => {
    requireAdmin(request);
    const body = (await readJson(request, MAX_MESSAGE_BYTES + 4_096)) as Partial<PublishRequest> | null;
    const { channelName, message } = publishFields(body);
    const clientId = body?.clientId;
    const channel = channels.find(channelName, clientId ?? '{clientId}');
    if (channel === undefined) throw new HttpProblem(404, 'UNKNOWN_CHANNEL', `No channel "${channelName}"; GET /admin/channels lists them.`);
    if (channel.topic.includes('{clientId}') || (channel.type === 'private' && clientId === undefined)) {
      throw new HttpProblem(400, 'CLIENT_ID_REQUIRED', `Channel "${channelName}" is per client: add "clientId".`);
    }
    // Content channels keep their latest message, so a client that was offline catches up on subscribe.
    const retain = body?.retain ?? channel.retainLatest === true;
    const qos = (body as { qos?: unknown } | null)?.qos ?? 1;
    if (qos !== 0 && qos !== 1) throw new HttpProblem(400, 'BAD_REQUEST', 'Field "qos" must be 0 or 1 (IoT Core has no QoS 2).');
    await broker.publish(channel.topic, encodeMessage(message), { qos, retain });
    sendJson(response, 200, { published: true, channel: channel.name, topic: channel.topic });
  };

  const adminChannels: Handler = async (request, response) => {
    requireAdmin(request);
    // Who may publish: clients (POST /publish), trusted tools (straight to the broker), or the service only.
    const trusted = new Set(channels.trustedPublishTopics?.('{clientId}') ?? []);
    sendJson(response, 200, { channels: channels.forClient('{clientId}').map((channel) => (trusted.has(channel.topic) ? { ...channel, trustedPublish: true } : channel)) });
  };

  const adminKick: Handler = async (request, response, [clientId = '']) => {
    requireAdmin(request);
    if (!broker.disconnectClient(clientId)) throw new HttpProblem(404, 'NOT_CONNECTED', `Client "${clientId}" is not connected; GET /admin/clients lists who is.`);
    sendJson(response, 200, { clientId, disconnected: 1 });
  };

  const adminClients: Handler = async (request, response) => {
    requireAdmin(request);
    sendJson(response, 200, { clients: broker.connectedClients() });
  };

  const table: [method: string, path: RegExp, handler: Handler][] = [
    ['POST', /^\/register$/, register],
    ['GET', /^\/channels$/, listChannels],
    ['GET', /^\/status$/, clientStatusRoute(users, tokens)],
    ['POST', /^\/publish$/, clientPublish],
    ['GET', /^\/admin\/users$/, adminUsers],
    ['GET', /^\/admin\/users\/([^/]+)$/, adminUser],
    ['PUT', /^\/admin\/users\/([^/]+)\/status$/, adminSetStatus],
    ['PUT', /^\/admin\/users\/([^/]+)\/publish$/, adminSetPublish],
    ['POST', /^\/admin\/publish$/, adminPublish],
    ['GET', /^\/admin\/channels$/, adminChannels],
    ['GET', /^\/admin\/clients$/, adminClients],
    ['DELETE', /^\/admin\/connections\/([^/]+)$/, adminKick],
  ];

  return async (request, response) => {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    const matches = table.filter(([, pattern]) => pattern.test(path));
    if (matches.length === 0) return false;
    const match = matches.find(([method]) => method === request.method);
    try {
      if (match === undefined) throw new HttpProblem(405, 'METHOD_NOT_ALLOWED', `Use ${matches.map(([m]) => m).join(' or ')} for ${path}.`);
      // Authentication comes before anything in the path is parsed.
      if (path.startsWith('/admin/')) requireAdmin(request);
      const params = (match[1].exec(path) ?? []).slice(1).map((raw) => {
        const param = decodePathParameter(raw);
        if (param === undefined) throw new HttpProblem(400, 'BAD_PATH', `Path segment "${raw.slice(0, 64)}" has a malformed percent escape; encode it with encodeURIComponent.`);
        return param;
      });
      await match[2](request, response, params);
    } catch (error) {
      if (!(error instanceof HttpProblem)) throw error;
      sendProblem(response, error);
    }
    return true;
  };
}

function publishFields(body: Partial<PublishRequest> | null): { channelName: string; message: unknown } {
  if (typeof body?.channel !== 'string' || body.channel === '') throw new HttpProblem(400, 'BAD_REQUEST', 'Field "channel" must name a channel.');
  if (!('message' in body) || body.message === undefined) throw new HttpProblem(400, 'BAD_REQUEST', 'Field "message" must be a JSON value.');
  if (jsonBytes(body.message) > MAX_MESSAGE_BYTES) {
    throw new HttpProblem(413, 'PAYLOAD_TOO_LARGE', `"message" is over ${MAX_MESSAGE_BYTES} bytes as JSON; send less (e.g. a URL to the content).`);
  }
  return { channelName: body.channel, message: body.message };
}

/** The one channel-message encoding (`@webcomm/service`), so POST /publish sends what a backend's sendBroadcast sends. */
const encodeMessage = encodeChannelMessage;
