/**
 * An IoT Core custom authorizer (token → policy document): the connecting client presents its
 * service token (the authorizer's token header or query parameter, or the MQTT password), the
 * function finds its client id in the token store, refuses banned or unknown clients, and
 * returns the registered player's policy with that id written out, split into documents of at
 * most 2,048 characters.
 */
import type { ChannelsConfig, TokenStore, UserStore } from '@webcomm/service';
import { authorizedClientPolicies } from '../authorizer-policies.js';

/** The parts of IoT's authorizer event this authorizer reads. */
export interface IotAuthorizerEvent {
  readonly token?: string;
  readonly protocolData?: {
    readonly mqtt?: { readonly username?: string; readonly password?: string; readonly clientId?: string };
  };
}

/** IoT's authorizer answer. */
export interface IotAuthorizerResult {
  readonly isAuthenticated: boolean;
  readonly principalId: string;
  readonly disconnectAfterInSeconds: number;
  readonly refreshAfterInSeconds: number;
  readonly policyDocuments: string[];
}

/** What the authorizer needs. */
export interface AuthorizerDeps {
  readonly tokens: TokenStore;
  readonly users: Pick<UserStore, 'get'>;
  readonly channels: ChannelsConfig;
  /** `arn:PARTITION:iot:REGION:ACCOUNT`. */
  readonly iotArn: string;
}

const DENY: IotAuthorizerResult = {
  isAuthenticated: false,
  principalId: 'denied',
  disconnectAfterInSeconds: 300,
  refreshAfterInSeconds: 300,
  policyDocuments: [],
};

/** Builds the authorizer handler. */
export function createAuthorizerHandler(
  deps: AuthorizerDeps,
): (event: IotAuthorizerEvent) => Promise<IotAuthorizerResult> {
  return async (event) => {
    const password = event.protocolData?.mqtt?.password;
    const token =
      event.token ?? (password === undefined ? undefined : Buffer.from(password, 'base64').toString('utf8'));
    if (token === undefined || token === '') return DENY;
    const clientId = await deps.tokens.resolve(token);
    if (clientId === undefined || (await deps.users.get(clientId))?.status !== 'active') return DENY;
    const mqttClientId = event.protocolData?.mqtt?.clientId;
    if (mqttClientId !== undefined && mqttClientId !== clientId) return DENY;
    return {
      isAuthenticated: true,
      // IoT: [a-zA-Z0-9]{1,128}.
      principalId: clientId.replace(/[^a-zA-Z0-9]/g, '').slice(0, 128) || 'client',
      disconnectAfterInSeconds: 86_400,
      refreshAfterInSeconds: 3_600,
      // Split to IoT's 2,048 characters per document (the construct refused channel sets needing over 10).
      policyDocuments: authorizedClientPolicies(deps.channels, deps.iotArn, clientId).map((document) =>
        JSON.stringify(document),
      ),
    };
  };
}
