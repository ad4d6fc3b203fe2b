/**
 * Decides whether an MQTT CONNECT may proceed, from what the listener established
 * (certificate, SigV4 URL, authorizer on upgrade) or the CONNECT's authorizer username,
 * and what the connection may then do (its policies) and until when.
 */
import { randomUUID } from 'node:crypto';
import type { AccessPolicy } from '../auth/access-policy.js';
import { FilterPolicy, isAllowed } from '../auth/access-policy.js';
import { DocumentPolicy } from '../auth/document-policy.js';
import type { CustomAuthorizerConfig } from '../auth/custom-authorizer.js';
import { parseAuthorizerUsername, runAuthorizer } from '../auth/custom-authorizer.js';
import type { Clock } from '../clock.js';
import type { ChannelCatalog, UserDirectory } from '../service/contracts.js';
import type { IotLimits } from './iot-limits.js';
import { clientIdProblem } from './iot-limits.js';
import type { ConnectRefusalReason } from '../refusal-events.js';
import type { DisconnectReason } from './presence-events.js';
import type { TransportAuth } from './transport-auth.js';

/** What {@link authorizeConnect} needs. */
export interface ConnectAuthorizerDeps {
  readonly users: UserDirectory;
  readonly channels: ChannelCatalog;
  readonly authorizers: ReadonlyMap<string, CustomAuthorizerConfig>;
  readonly limits: IotLimits;
  readonly clock: Clock;
  readonly region: string;
  readonly account: string;
  readonly allowAnonymous: boolean;
  readonly presenceInDefaultPolicy: boolean;
  readonly webSocketTtlMs: number;
}

/** An accepted connection's rights. */
export interface ConnectGrant {
  readonly principalId: string;
  /** Connected without credentials (`allowAnonymous`): broadcast channels only. */
  readonly anonymous: boolean;
  readonly policies: readonly AccessPolicy[];
  /** When the broker must close it (epoch ms), and the presence reason then. */
  readonly disconnectAt: number | undefined;
  readonly disconnectReason: DisconnectReason;
}

/** A refusal; `reason` is its stable code, `check` names what failed in words (logged, never a secret). */
export interface ConnectRefusal {
  readonly reason: ConnectRefusalReason;
  readonly check: string;
}

const refusal = (reason: ConnectRefusalReason, check: string): ConnectRefusal => ({ reason, check });

const PRESENCE_FILTER = '$aws/events/presence/+/+';

/**
 * The service's default policy: receive on the client's channels (and presence when enabled),
 * and publish straight to the broker only on the channels the operator granted this identity
 * (`granted`), and only where the channel allows such grants. The connection type grants nothing.
 * The client's own topics are granted exactly, so a client id such as `#` stays a plain name.
 */
export function defaultPolicy(
  clientId: string,
  deps: Pick<ConnectAuthorizerDeps, 'channels' | 'presenceInDefaultPolicy'>,
  granted: readonly string[] = [],
): AccessPolicy {
  const filters = deps.channels.sharedReceiveFilters?.() ?? [];
  const grantable = new Set(deps.channels.trustedPublishTopics?.(clientId) ?? []);
  const publish = granted
    .map((name) => deps.channels.find(name, clientId)?.topic)
    .filter((topic): topic is string => topic !== undefined && grantable.has(topic));
  return new FilterPolicy({
    topics: deps.channels.receiveTopics(clientId),
    filters: deps.presenceInDefaultPolicy ? [...filters, PRESENCE_FILTER] : filters,
    publish,
  });
}

/** What an anonymous link may do: receive the broadcast channels, nothing else. */
export function anonymousPolicy(clientId: string, deps: Pick<ConnectAuthorizerDeps, 'channels'>): AccessPolicy {
  const topics = deps.channels
    .forClient(clientId)
    .filter((channel) => channel.type === 'broadcast')
    .map((channel) => channel.topic);
  return new FilterPolicy({ topics, publish: [] });
}

/** Authorizes one CONNECT. */
export async function authorizeConnect(
  request: {
    clientId: string;
    auth: TransportAuth;
    username: string | undefined;
    password: Buffer | undefined;
    /** Whether a live connection already uses this client id, and how it authenticated. */
    liveAs?: 'authenticated' | 'anonymous' | undefined;
  },
  deps: ConnectAuthorizerDeps,
): Promise<ConnectGrant | ConnectRefusal> {
  const { clientId, auth, username, password } = request;
  let anonymous = false;
  const idProblem = clientIdProblem(clientId, deps.limits);
  if (idProblem !== undefined) return refusal(idProblem.reason, idProblem.message);
  if (auth.refusal !== undefined) return auth.refusal;

  let principalId = auth.principalId ?? clientId;
  let documents = auth.policyDocuments;
  let disconnectAt = auth.disconnectAt;
  let disconnectReason: DisconnectReason = auth.disconnectReason ?? 'SERVER_INITIATED_DISCONNECT';
  if (auth.kind === 'none') {
    const authorizer = parseAuthorizerUsername(username);
    if (authorizer !== undefined) {
      const outcome = await runAuthorizer(
        deps.authorizers,
        authorizer,
        {
          protocols: auth.http === undefined ? ['mqtt'] : ['mqtt', 'http'],
          protocolData: {
            ...(auth.http === undefined ? {} : { http: auth.http }),
            mqtt: { username, password: password?.toString('base64'), clientId },
          },
          connectionMetadata: { id: randomUUID() },
        },
        deps.clock,
      );
      if (!outcome.ok) return refusal(outcome.refusal, `custom authorizer: ${outcome.refusal} (${outcome.detail})`);
      principalId = outcome.response.principalId;
      documents = outcome.response.policyDocuments;
      disconnectAt = deps.clock.now() + outcome.response.disconnectAfterInSeconds * 1000;
      disconnectReason = 'CUSTOMAUTH_TTL_EXPIRATION';
    } else if (!deps.allowAnonymous || (auth.transport !== 'tcp' && auth.transport !== 'ws')) {
      return refusal(
        'no-credentials',
        'no credentials (sign the WebSocket URL, use a client certificate or a custom authorizer)',
      );
    } else {
      // An anonymous link must not pass for a known client: it would take over its session.
      if (request.liveAs === 'authenticated')
        return refusal('client-id-in-use', 'anonymous connect with the client id of a live authenticated connection');
      if ((await deps.users.get(clientId)) !== undefined)
        return refusal(
          'client-id-registered',
          'anonymous connect with the client id of a registered client (authenticate as it instead)',
        );
      anonymous = true;
    }
  }
  if (auth.clientIdMustBe !== undefined && auth.clientIdMustBe !== clientId) {
    return refusal(
      'client-id-mismatch',
      `client id does not match the credential (${auth.kind} is for another client id)`,
    );
  }
  if (deps.users.isBanned(clientId) || deps.users.isBanned(principalId)) return refusal('banned', 'banned');

  // Grants belong to an identity the transport proved (certificate, signed URL), never to a bare client id.
  const proven = auth.kind === 'certificate' || auth.kind === 'sigv4';
  const granted = documents === undefined && proven ? ((await deps.users.get(clientId))?.brokerPublish ?? []) : [];
  let policies: AccessPolicy[];
  try {
    policies = anonymous
      ? [anonymousPolicy(clientId, deps)]
      : documents === undefined
        ? [defaultPolicy(clientId, deps, granted)]
        : [
            new DocumentPolicy(documents, {
              clientId,
              region: deps.region,
              account: deps.account,
              sourceIp: auth.ipAddress,
            }),
          ];
  } catch (error) {
    return refusal(
      'bad-policy-document',
      `custom authorizer returned a bad policy document: ${(error as Error).message}`,
    );
  }
  if (documents !== undefined && !isAllowed(policies, 'iot:Connect', clientId))
    return refusal('policy-denied', 'policy does not allow iot:Connect for this client id');

  // IoT Core ends WebSocket connections after 24 h at most.
  if (auth.transport === 'ws' || auth.transport === 'wss') {
    const webSocketEnd = deps.clock.now() + deps.webSocketTtlMs;
    if (disconnectAt === undefined || webSocketEnd < disconnectAt) {
      disconnectAt = webSocketEnd;
      disconnectReason = 'WEBSOCKET_TTL_EXPIRATION';
    }
  }
  return { principalId, anonymous, policies, disconnectAt, disconnectReason };
}
