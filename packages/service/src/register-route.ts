/**
 * `POST /register`: a client's identity (client id, service token, channels, and Cognito identity
 * or certificate). Registrations of one client id run one at a time ({@link KeyedLock}), so a
 * race gives one identity, and each source address has a token bucket (429 with `Retry-After`).
 * Requests with the admin token (the operator) are not rate-limited.
 *
 * As the Web Communicator documents it, clients may register themselves only as WEBSOCKET;
 * certificates (OPENSSL) come from the operator (admin token: the portal, `webcomm
 * register-client`) unless `certificateSelfRegistration` opens them, as the gem's
 * `request_registration` setting does. A certificate owner renews its own with its service token.
 * An identity keeps its connection type, and direct broker publish is a grant the operator gives
 * per identity and channel (`publish`), never something a connection type implies.
 */
import { randomUUID } from 'node:crypto';
import type { RegistrationRequest, RegistrationResponse } from '@webcomm/core';
import { HttpProblem } from './http-problem.js';
import { KeyedLock } from './keyed-lock.js';
import type { ServicePorts } from './ports.js';
import { RateLimiter, type RateLimit } from './rate-limiter.js';
import { bearerToken, type ServiceRequest, type ServiceResponse } from './service-request.js';

/** Registrations per source address: 20 at once, then one a second. */
export const DEFAULT_REGISTRATION_RATE_LIMIT: RateLimit = { burst: 20, perSecond: 1 };

const CLIENT_ID = /^[A-Za-z0-9:_-]{1,128}$/;
const MAX_BODY_BYTES = 16_384;

/** Options of {@link createRegisterHandler}. */
export interface RegisterOptions {
  /** True when the request comes from the operator (the emulator's admin token; IAM on AWS). */
  readonly isOperator: (request: ServiceRequest) => boolean;
  /** @default DEFAULT_REGISTRATION_RATE_LIMIT */
  readonly rateLimit?: RateLimit;
  /** Anyone may register as OPENSSL (get a certificate) without the admin token. @default false */
  readonly certificateSelfRegistration?: boolean;
  /** Milliseconds now, for the rate limiter. @default Date.now */
  readonly now?: () => number;
}

/** An address with IPv4-mapped IPv6 written as IPv4. */
export function sourceAddress(remoteAddress: string | undefined): string {
  return (remoteAddress ?? 'unknown').replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');
}

/** Builds the `POST /register` handler. */
export function createRegisterHandler(
  ports: ServicePorts,
  options: RegisterOptions,
): (request: ServiceRequest) => Promise<ServiceResponse> {
  const { users, channels, certificates, identities, endpoints, tokens } = ports;
  const limiter = new RateLimiter(options.rateLimit ?? DEFAULT_REGISTRATION_RATE_LIMIT, options.now);
  const perClient = new KeyedLock();

  return async (request) => {
    const presented = bearerToken(request.headers.authorization);
    const operator = options.isOperator(request);
    if (!operator) {
      const decision = limiter.take(request.sourceAddress);
      if (!decision.allowed) {
        const seconds = String(Math.ceil(decision.retryAfterMs / 1000));
        throw new HttpProblem(
          429,
          'RATE_LIMITED',
          `Too many registrations from this address; retry after ${seconds} s.`,
          { 'retry-after': seconds },
        );
      }
    }
    const body = (await request.readJson(MAX_BODY_BYTES)) as Partial<RegistrationRequest> | null;
    const type = body?.type;
    if (type !== 'WEBSOCKET' && type !== 'OPENSSL')
      throw new HttpProblem(400, 'BAD_REQUEST', 'Field "type" must be "WEBSOCKET" or "OPENSSL".');
    if (body?.clientId !== undefined && (typeof body.clientId !== 'string' || !CLIENT_ID.test(body.clientId))) {
      throw new HttpProblem(400, 'BAD_REQUEST', 'Field "clientId" must be 1-128 letters, digits, ":", "_" or "-".');
    }
    const publish = grantsOf(body?.publish, operator);
    // An id the platform allocated here (on AWS: the Cognito identity it just created) is the
    // registrant's own; only an id the request names can be someone else's identity.
    const allocated = body?.clientId === undefined;
    const clientId =
      body?.clientId ??
      (type === 'WEBSOCKET'
        ? ((await identities.allocateClientId?.()) ?? `${identities.region}:${randomUUID()}`)
        : randomUUID());
    for (const name of publish ?? []) {
      const channel = channels.find(name, clientId);
      if (channel === undefined || !(channels.trustedPublishTopics?.(clientId) ?? []).includes(channel.topic)) {
        throw new HttpProblem(
          400,
          'CHANNEL_NOT_GRANTABLE',
          `Channel "${name}" does not allow direct broker publish; mark it "trustedPublish": true in channels.json first.`,
        );
      }
    }

    const answer = await perClient.run(clientId, async (): Promise<RegistrationResponse> => {
      const existing = await users.get(clientId);
      if (existing?.status === 'banned')
        throw new HttpProblem(403, 'BANNED', `Client "${clientId}" is banned; registration is refused.`);
      if (existing !== undefined && !operator) {
        // Re-registering an existing id needs proof of owning it, or anyone could take it over.
        const owner = presented === undefined ? undefined : await tokens.resolve(presented);
        if (owner !== clientId)
          throw new HttpProblem(
            403,
            'IDENTITY_TAKEN',
            `Client id "${clientId}" is registered already; send its service token, or omit clientId for a new one.`,
          );
      }
      // A guest's identity id (from GetId, seen in presence events) is not free to claim: registering
      // it would make its credentials, private channel and client id the registrant's.
      if (existing === undefined && !operator && !allocated && (await identities.hasIdentity(clientId))) {
        throw new HttpProblem(
          403,
          'IDENTITY_TAKEN',
          `Client id "${clientId}" is a Cognito identity already; omit clientId for a new one.`,
        );
      }
      if (existing !== undefined && existing.kind !== type) {
        throw new HttpProblem(
          409,
          'CONNECTION_TYPE_FIXED',
          `Client "${clientId}" is registered as ${existing.kind}; an identity keeps its connection type. Register a new identity for ${type}.`,
        );
      }
      // Certificates: the operator's, the open emulator's, or an owner renewing its own.
      if (type === 'OPENSSL' && !operator && options.certificateSelfRegistration !== true && existing === undefined) {
        throw new HttpProblem(
          403,
          'CERTIFICATE_REGISTRATION_CLOSED',
          'Certificates (OPENSSL) are issued by the operator: register with the admin token (`webcomm register-client --out DIR`, or createNodeClient({adminToken})), or start the emulator with certificateSelfRegistration: true. Clients register as WEBSOCKET.',
        );
      }
      await users.ensure(clientId, type);
      const user = publish === undefined ? await users.get(clientId) : await users.setBrokerPublish(clientId, publish);
      const brokerPublish = user?.brokerPublish ?? [];
      const serviceToken = await tokens.issue(clientId);
      const signature = await ports.tokenSigner?.sign(serviceToken);
      const base = {
        connectionType: type,
        clientId,
        region: identities.region,
        channels: channels.forClient(clientId),
        serviceToken,
        ...(signature === undefined ? {} : { serviceTokenSignature: signature }),
        ...(certificates.caPem === undefined ? {} : { caPem: certificates.caPem }),
        ...(brokerPublish.length === 0 ? {} : { brokerPublish }),
      };
      if (type === 'WEBSOCKET') {
        const identityId = await identities.ensureIdentity(clientId);
        const openId = await identities.openIdToken(identityId);
        return {
          ...base,
          endpoint: (request.secure === true ? endpoints.secureWebsocket : undefined) ?? endpoints.websocket,
          identityPoolId: identities.identityPoolId,
          identityId,
          ...(endpoints.cognito === undefined ? {} : { cognitoEndpoint: endpoints.cognito }),
          openIdToken: openId.token,
          openIdTokenExpiresAt: openId.expiresAt.toISOString(),
        };
      }
      const issued = await certificates.issueClientCertificate(clientId);
      return {
        ...base,
        endpoint: endpoints.mutualTls,
        certificatePem: issued.certificatePem,
        privateKeyPem: issued.privateKeyPem,
        ...(issued.caPem === undefined ? {} : { caPem: issued.caPem }),
        certificateExpiresAt: issued.expiresAt.toISOString(),
      };
    });
    return { status: 200, body: answer };
  };
}

/** The `publish` field: channel names, from the operator only; undefined when absent. */
function grantsOf(value: unknown, operator: boolean): readonly string[] | undefined {
  if (value === undefined) return undefined;
  if (!operator)
    throw new HttpProblem(
      401,
      'ADMIN_TOKEN_REQUIRED',
      'Field "publish" grants direct broker publish: only the operator (admin token) may send it.',
    );
  if (!Array.isArray(value) || value.length > 64 || !value.every((name) => typeof name === 'string' && name !== '')) {
    throw new HttpProblem(400, 'BAD_REQUEST', 'Field "publish" must be a list of channel names.');
  }
  return value as string[];
}
