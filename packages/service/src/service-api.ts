/**
 * The Web Communicator service API, written once for every home (the emulator, the Lambda
 * handlers), over {@link ServicePorts}:
 *
 * | method | path | auth | does |
 * |---|---|---|---|
 * | POST | /register | none (an existing client id: its service token); rate-limited per address | identity + channels (+ certificate for OPENSSL); see register-route.ts |
 * | GET | /channels | service token | the caller's channels |
 * | GET | /status | service token | the caller's status (`active` or `banned`), also when banned |
 * | POST | /publish | service token | validated client publish |
 * | POST | /admin/register | operator | `POST /register` as the operator (certificates, grants) |
 * | GET | /admin/users | operator | one page of the user table (`?search=&offset=&limit=`, see user-page.ts) |
 * | GET | /admin/users/:id | operator | one user and its live connections |
 * | PUT | /admin/users/:id/status | operator | set `active` or `banned` |
 * | PUT | /admin/users/:id/publish | operator | `{channels}`: the identity's direct broker publish grants |
 * | POST | /admin/publish | operator | cloud-side publish on any channel (`qos` 0 or 1, default 1) |
 * | GET | /admin/channels | operator | the channel configuration, with `trustedPublish` |
 * | GET | /admin/clients | operator | connected client ids |
 * | DELETE | /admin/connections/:clientId | operator | kick: drop a live client without banning it (IoT's DeleteConnection) |
 *
 * "Operator" is the platform's decision (`isOperator`): the emulator's admin token, IAM
 * authorization of the API Gateway route on AWS.
 */
import { newMessageId, type PublishRequest, type UserStatus } from '@webcomm/core';
import { encodeChannelMessage, jsonBytes, MAX_MESSAGE_BYTES } from './channel-message.js';
import { clientStatusRoute } from './client-status-route.js';
import { HttpProblem } from './http-problem.js';
import type { LiveConnection, ServicePorts } from './ports.js';
import { RateLimiter, type RateLimit } from './rate-limiter.js';
import { createRegisterHandler } from './register-route.js';
import { bearerToken, problemResponse, type ServiceRequest, type ServiceResponse } from './service-request.js';
import { userPage } from './user-page.js';

/** Options of {@link createServiceApi}. */
export interface ServiceApiOptions {
  /** True when the request comes from the operator. Every `/admin/*` route requires it. */
  readonly isOperator: (request: ServiceRequest) => boolean;
  /** What a non-operator is told on `/admin/*`. @default "This route is for the operator." */
  readonly operatorHint?: string;
  /** Client publishes per identity. @default DEFAULT_RATE_LIMIT (10 at once, 2/s) */
  readonly rateLimit?: RateLimit;
  /** Registrations per source address. @default DEFAULT_REGISTRATION_RATE_LIMIT (20 at once, 1/s) */
  readonly registrationRateLimit?: RateLimit;
  /** Anyone may register as OPENSSL without being the operator. @default false */
  readonly certificateSelfRegistration?: boolean;
  /** Milliseconds now, for the rate limiters. @default Date.now */
  readonly now?: () => number;
}

/** The service API: an answer for the requests it knows, undefined for any other path. */
export type ServiceApi = (request: ServiceRequest) => Promise<ServiceResponse | undefined>;

type Handler = (request: ServiceRequest, params: string[]) => Promise<ServiceResponse>;

const ok = (body: unknown): ServiceResponse => ({ status: 200, body });

/** Builds the service API over `ports`. */
export function createServiceApi(ports: ServicePorts, options: ServiceApiOptions): ServiceApi {
  const { users, channels, certificates, identities, broker, publisher, tokens } = ports;
  const limiter = new RateLimiter(options.rateLimit, options.now);

  const requireOperator = (request: ServiceRequest): void => {
    if (!options.isOperator(request))
      throw new HttpProblem(401, 'ADMIN_TOKEN_REQUIRED', options.operatorHint ?? 'This route is for the operator.');
  };
  const requireClient = async (request: ServiceRequest): Promise<string> => {
    const token = bearerToken(request.headers.authorization);
    const clientId = token === undefined ? undefined : await tokens.resolve(token);
    if (clientId === undefined) {
      throw new HttpProblem(
        401,
        'SERVICE_TOKEN_REQUIRED',
        'Send "Authorization: Bearer <serviceToken>" from your POST /register answer.',
      );
    }
    if ((await users.get(clientId))?.status === 'banned')
      throw new HttpProblem(403, 'BANNED', `Client "${clientId}" is banned.`);
    return clientId;
  };
  const knownUser = async (id: string): Promise<void> => {
    if ((await users.get(id)) === undefined) throw new HttpProblem(404, 'UNKNOWN_USER', `No user "${id}".`);
  };

  const register: Handler = createRegisterHandler(ports, {
    isOperator: options.isOperator,
    ...(options.registrationRateLimit ? { rateLimit: options.registrationRateLimit } : {}),
    ...(options.certificateSelfRegistration === undefined
      ? {}
      : { certificateSelfRegistration: options.certificateSelfRegistration }),
    ...(options.now ? { now: options.now } : {}),
  });

  const listChannels: Handler = async (request) => ok({ channels: channels.forClient(await requireClient(request)) });

  const clientPublish: Handler = async (request) => {
    const clientId = await requireClient(request);
    const decision = limiter.take(clientId);
    if (!decision.allowed) {
      const seconds = String(Math.ceil(decision.retryAfterMs / 1000));
      throw new HttpProblem(429, 'RATE_LIMITED', `Too many publishes; retry after ${seconds} s.`, {
        'retry-after': seconds,
      });
    }
    const body = (await request.readJson(MAX_MESSAGE_BYTES + 4_096)) as Partial<PublishRequest> | null;
    const { channelName, message } = publishFields(body);
    const channel = channels.find(channelName, clientId);
    if (channel === undefined)
      throw new HttpProblem(404, 'UNKNOWN_CHANNEL', `No channel "${channelName}"; GET /channels lists yours.`);
    if (!channel.clientPublish)
      throw new HttpProblem(
        403,
        'CHANNEL_NOT_PUBLISHABLE',
        `Channel "${channelName}" does not accept client publishes.`,
      );
    await publisher.publish(channel.topic, encodeChannelMessage(message), {
      qos: 1,
      publisher: { clientId, principalId: clientId },
      messageId: newMessageId(),
    });
    return ok({ published: true, channel: channel.name, topic: channel.topic });
  };

  const liveConnections = async (): Promise<readonly LiveConnection[]> =>
    (await broker.connections?.()) ??
    ((await broker.connectedClients?.()) ?? []).map((clientId) => ({ clientId, principalId: clientId }));

  const adminUsers: Handler = async (request) => ok(userPage(await users.list(), request.query));

  const adminUser: Handler = async (_request, [id = '']) => {
    const user = await users.get(id);
    if (user === undefined) throw new HttpProblem(404, 'UNKNOWN_USER', `No user "${id}".`);
    const connections = (await liveConnections()).filter(
      (connection) => connection.clientId === id || connection.principalId === id,
    );
    return ok({ user, connections });
  };

  const adminSetStatus: Handler = async (request, [id = '']) => {
    const body = (await request.readJson(4_096)) as { status?: UserStatus } | null;
    const status = body?.status;
    if (status !== 'active' && status !== 'banned')
      throw new HttpProblem(400, 'BAD_REQUEST', 'Field "status" must be "active" or "banned".');
    const known = await users.get(id);
    if (known === undefined) throw new HttpProblem(404, 'UNKNOWN_USER', `No user "${id}".`);
    // A client's access is its certificates or its identity, as it registered: never the other's.
    const revoke = (): Promise<void> =>
      known.kind === 'OPENSSL' ? certificates.revokeClient(id) : identities.revokeIdentity(id);
    const restore = async (): Promise<void> =>
      known.kind === 'OPENSSL' ? certificates.restoreClient?.(id) : identities.restoreIdentity?.(id);
    if (status === 'active') {
      // Access first, status last: an unban that fails half-way leaves the client banned, and repeating it finishes it.
      await stepOrProblem('UNBAN_INCOMPLETE', `Client "${id}" is still banned`, restore);
      return ok({ user: await users.setStatus(id, 'active'), disconnected: 0 });
    }
    // Banned first, so the service refuses the client at once; then every step is tried even if
    // one fails (each is idempotent), and the answer says what to repeat.
    const user = await users.setStatus(id, 'banned');
    const failures: string[] = [];
    const attempt = async <T>(step: () => Promise<T>): Promise<T | undefined> => {
      try {
        return await step();
      } catch (error) {
        failures.push((error as Error)?.message ?? String(error));
        return undefined;
      }
    };
    // Revoke before dropping, so a reconnect racing the disconnect is already refused.
    await attempt(revoke);
    const disconnected = (await attempt(async () => broker.disconnectPrincipal(id, 'API_INITIATED_DISCONNECT'))) ?? 0;
    if (failures.length > 0)
      throw new HttpProblem(
        502,
        'BAN_INCOMPLETE',
        `Client "${id}" is banned (the service refuses it${disconnected > 0 ? ' and its connection was dropped' : ''}), but revoking its access failed: ${failures.join('; ')}. Repeat the request to finish the ban.`,
      );
    return ok({ user, disconnected });
  };

  const adminSetPublish: Handler = async (request, [id = '']) => {
    const body = (await request.readJson(4_096)) as { channels?: unknown } | null;
    const names = body?.channels;
    if (!Array.isArray(names) || names.length > 64 || !names.every((name) => typeof name === 'string' && name !== '')) {
      throw new HttpProblem(
        400,
        'BAD_REQUEST',
        'Field "channels" must be a list of channel names ([] revokes every grant).',
      );
    }
    await knownUser(id);
    const grantable = channels.trustedPublishTopics?.(id) ?? [];
    for (const name of names as string[]) {
      const channel = channels.find(name, id);
      if (channel === undefined || !grantable.includes(channel.topic)) {
        throw new HttpProblem(
          400,
          'CHANNEL_NOT_GRANTABLE',
          `Channel "${name}" does not allow direct broker publish; mark it "trustedPublish": true in channels.json first.`,
        );
      }
    }
    const user = await users.setBrokerPublish(id, names as string[]);
    // A policy is fixed at CONNECT: drop live links so the client reconnects with the new grants.
    const disconnected = await broker.disconnectPrincipal(id, 'API_INITIATED_DISCONNECT');
    return ok({ user, disconnected });
  };

  const adminPublish: Handler = async (request) => {
    const body = (await request.readJson(MAX_MESSAGE_BYTES + 4_096)) as Partial<PublishRequest> | null;
    const { channelName, message } = publishFields(body);
    const clientId = body?.clientId;
    const channel = channels.find(channelName, clientId ?? '{clientId}');
    if (channel === undefined)
      throw new HttpProblem(404, 'UNKNOWN_CHANNEL', `No channel "${channelName}"; GET /admin/channels lists them.`);
    if (channel.topic.includes('{clientId}') || (channel.type === 'private' && clientId === undefined)) {
      throw new HttpProblem(400, 'CLIENT_ID_REQUIRED', `Channel "${channelName}" is per client: add "clientId".`);
    }
    // Content channels keep their latest message, so a client that was offline catches up on subscribe.
    const retain = body?.retain ?? channel.retainLatest === true;
    const qos = (body as { qos?: unknown } | null)?.qos ?? 1;
    if (qos !== 0 && qos !== 1)
      throw new HttpProblem(400, 'BAD_REQUEST', 'Field "qos" must be 0 or 1 (IoT Core has no QoS 2).');
    await publisher.publish(channel.topic, encodeChannelMessage(message), { qos, retain, messageId: newMessageId() });
    return ok({ published: true, channel: channel.name, topic: channel.topic });
  };

  const adminChannels: Handler = async () => {
    // Who may publish: clients (POST /publish), trusted tools (straight to the broker), or the service only.
    const trusted = new Set(channels.trustedPublishTopics?.('{clientId}') ?? []);
    return ok({
      channels: channels
        .forClient('{clientId}')
        .map((channel) => (trusted.has(channel.topic) ? { ...channel, trustedPublish: true } : channel)),
    });
  };

  const adminKick: Handler = async (_request, [clientId = '']) => {
    if (!(await broker.disconnectClient(clientId)))
      throw new HttpProblem(
        404,
        'NOT_CONNECTED',
        `Client "${clientId}" is not connected; GET /admin/clients lists who is.`,
      );
    return ok({ clientId, disconnected: 1 });
  };

  const adminClients: Handler = async () => ok({ clients: (await broker.connectedClients?.()) ?? [] });

  const status = clientStatusRoute(users, tokens);
  const table: [method: string, path: RegExp, handler: Handler][] = [
    ['POST', /^\/register$/, register],
    ['GET', /^\/channels$/, listChannels],
    ['GET', /^\/status$/, (request) => status(request)],
    ['POST', /^\/publish$/, clientPublish],
    ['POST', /^\/admin\/register$/, register],
    ['GET', /^\/admin\/users$/, adminUsers],
    ['GET', /^\/admin\/users\/([^/]+)$/, adminUser],
    ['PUT', /^\/admin\/users\/([^/]+)\/status$/, adminSetStatus],
    ['PUT', /^\/admin\/users\/([^/]+)\/publish$/, adminSetPublish],
    ['POST', /^\/admin\/publish$/, adminPublish],
    ['GET', /^\/admin\/channels$/, adminChannels],
    ['GET', /^\/admin\/clients$/, adminClients],
    ['DELETE', /^\/admin\/connections\/([^/]+)$/, adminKick],
  ];

  return async (request) => {
    const { path } = request;
    const matches = table.filter(([, pattern]) => pattern.test(path));
    if (matches.length === 0) return undefined;
    const match = matches.find(([method]) => method === request.method);
    try {
      if (match === undefined)
        throw new HttpProblem(405, 'METHOD_NOT_ALLOWED', `Use ${matches.map(([m]) => m).join(' or ')} for ${path}.`);
      // Authentication comes before anything in the path is parsed.
      if (path.startsWith('/admin/')) requireOperator(request);
      const params = (match[1].exec(path) ?? []).slice(1).map((raw) => {
        const param = decodeParameter(raw);
        if (param === undefined)
          throw new HttpProblem(
            400,
            'BAD_PATH',
            `Path segment "${raw.slice(0, 64)}" has a malformed percent escape; encode it with encodeURIComponent.`,
          );
        return param;
      });
      return await match[2](request, params);
    } catch (error) {
      if (!(error instanceof HttpProblem)) throw error;
      return problemResponse(error);
    }
  };
}

/** Runs `step`; a failure becomes a 502 `code` saying what holds and to repeat the request. */
async function stepOrProblem(code: string, holds: string, step: () => Promise<unknown>): Promise<void> {
  try {
    await step();
  } catch (error) {
    throw new HttpProblem(
      502,
      code,
      `${holds}: ${(error as Error)?.message ?? String(error)}. Repeat the request to finish.`,
    );
  }
}

function decodeParameter(raw: string): string | undefined {
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
}

function publishFields(body: Partial<PublishRequest> | null): { channelName: string; message: unknown } {
  if (typeof body?.channel !== 'string' || body.channel === '')
    throw new HttpProblem(400, 'BAD_REQUEST', 'Field "channel" must name a channel.');
  if (!('message' in body) || body.message === undefined)
    throw new HttpProblem(400, 'BAD_REQUEST', 'Field "message" must be a JSON value.');
  if (jsonBytes(body.message) > MAX_MESSAGE_BYTES) {
    throw new HttpProblem(
      413,
      'PAYLOAD_TOO_LARGE',
      `"message" is over ${MAX_MESSAGE_BYTES} bytes as JSON; send less (e.g. a URL to the content).`,
    );
  }
  return { channelName: body.channel, message: body.message };
}
