/**
 * The IoT policy documents of the Web Communicator, as pure functions of the channel
 * configuration (the construct synthesizes them, the custom authorizer returns them, tests read
 * them). No player or device policy grants `iot:Publish` on anything: players publish through
 * the service's validating `POST /publish`; only a trusted tool's policy, one per channel marked
 * `trustedPublish`, publishes, on that channel's topic alone.
 */
import { channelTopic, type ChannelConfig, type ChannelsConfig } from '@webcomm/service';

/** An IAM-style policy document. */
export interface PolicyDocument {
  readonly Version: '2012-10-17';
  readonly Statement: readonly PolicyStatement[];
}

/** One statement. */
export interface PolicyStatement {
  readonly Effect: 'Allow';
  readonly Action: string | readonly string[];
  readonly Resource: string | readonly string[];
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

/** The policy variable of a Cognito identity's id (the player's client id). */
export const COGNITO_SUB = '${cognito-identity.amazonaws.com:sub}';
/** The policy variable of a certificate's thing name (the device's client id). */
export const THING_NAME = '${iot:Connection.Thing.ThingName}';

/** True when the channel's topic differs per client. */
export function isPerClient(channel: ChannelConfig): boolean {
  return channel.type === 'private' || (channel.type === 'custom' && (channel.topic ?? '').includes('{clientId}'));
}

function receive(
  config: ChannelsConfig,
  arn: string,
  clientVariable: string,
  channels: readonly ChannelConfig[],
): PolicyStatement[] {
  const topics = channels.map((channel) => channelTopic(config, channel, clientVariable));
  if (topics.length === 0) return [];
  return [
    { Effect: 'Allow', Action: 'iot:Subscribe', Resource: topics.map((topic) => `${arn}:topicfilter/${topic}`) },
    { Effect: 'Allow', Action: 'iot:Receive', Resource: topics.map((topic) => `${arn}:topic/${topic}`) },
  ];
}

/**
 * A player (Cognito identity): connect as its own identity id, receive the broadcast channels
 * and, when registered (not a guest), its own per-client channels. `arn` is
 * `arn:PARTITION:iot:REGION:ACCOUNT`.
 */
export function playerPolicy(
  config: ChannelsConfig,
  arn: string,
  options: { readonly guest?: boolean } = {},
): PolicyDocument {
  const channels =
    options.guest === true ? config.channels.filter((channel) => !isPerClient(channel)) : config.channels;
  return {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: 'iot:Connect', Resource: `${arn}:client/${COGNITO_SUB}` },
      ...receive(config, arn, COGNITO_SUB, channels),
    ],
  };
}

/** A device or dedicated server (certificate attached to a thing named after its client id). */
export function devicePolicy(config: ChannelsConfig, arn: string): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: 'iot:Connect',
        Resource: `${arn}:client/${THING_NAME}`,
        Condition: { Bool: { 'iot:Connection.Thing.IsAttached': 'true' } },
      },
      ...receive(config, arn, THING_NAME, config.channels),
    ],
  };
}

/** A trusted tool's grant on one `trustedPublish` channel: publish on its topic, nothing else. */
export function toolPublishPolicy(config: ChannelsConfig, arn: string, channel: ChannelConfig): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: 'iot:Publish', Resource: `${arn}:topic/${channelTopic(config, channel, THING_NAME)}` },
    ],
  };
}

/** The policy a custom authorizer returns for one client: the registered player's, with the id written out. */
export function authorizedClientPolicy(config: ChannelsConfig, arn: string, clientId: string): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: 'iot:Connect', Resource: `${arn}:client/${clientId}` },
      ...receive(config, arn, clientId, config.channels),
    ],
  };
}
