/**
 * The channel configuration and topic layout of the Web Communicator, one definition for every
 * home of the service (the emulator, the Lambda handlers, the CDK construct's IoT policies, a
 * backend that pushes): broadcast `{project}/{deployment}/{name}`, private
 * `{project}/{deployment}/{name}/client/{clientId}` (the Lumberyard gem's layout); a custom
 * channel names its topic, where `{clientId}` is replaced per client.
 */
import { ERROR_CODES, WebcommError, type ChannelInfo, type ChannelType } from '@webcomm/core';

/** One channel in the configuration. */
export interface ChannelConfig {
  /** Name used in code, 1-64 letters, digits, `_` or `-`. */
  readonly name: string;
  readonly type: ChannelType;
  /** Custom channels only: the topic, `{clientId}` allowed. */
  readonly topic?: string;
  /** Clients may publish to it through `POST /publish`. @default false */
  readonly clientPublish?: boolean;
  /** Keep the latest admin publish retained (content channels). @default false */
  readonly retainLatest?: boolean;
  /** Trusted tools may be granted direct broker publish on it. @default false */
  readonly trustedPublish?: boolean;
}

/** The whole configuration (the emulator's `<dataDir>/channels.json`, the construct's `channels` prop). */
export interface ChannelsConfig {
  /** @default "webcomm" */
  readonly project: string;
  /** @default "local" */
  readonly deployment: string;
  readonly channels: readonly ChannelConfig[];
}

/** Used when nothing is configured. */
export const DEFAULT_CHANNELS: ChannelsConfig = {
  project: 'webcomm',
  deployment: 'local',
  channels: [
    { name: 'announcements', type: 'broadcast', clientPublish: false },
    { name: 'content-updates', type: 'broadcast', clientPublish: false, retainLatest: true },
    { name: 'chat', type: 'broadcast', clientPublish: true },
    { name: 'private', type: 'private', clientPublish: false },
    { name: 'tools', type: 'broadcast', clientPublish: false, trustedPublish: true },
  ],
};

const NAME = /^[A-Za-z0-9_-]{1,64}$/;

function invalid(field: string, problem: string): WebcommError {
  return new WebcommError(ERROR_CODES.INVALID_OPTION, `channels config: "${field}" ${problem}.`);
}

/** Validates a parsed configuration (defaults filled in); throws a WebcommError naming the bad field. */
export function validateChannelsConfig(value: unknown): ChannelsConfig {
  const config = value as Partial<ChannelsConfig> | null;
  if (typeof config !== 'object' || config === null)
    throw invalid('(root)', 'must be an object {project, deployment, channels}');
  const project = config.project ?? DEFAULT_CHANNELS.project;
  const deployment = config.deployment ?? DEFAULT_CHANNELS.deployment;
  if (typeof project !== 'string' || !NAME.test(project))
    throw invalid('project', 'must be 1-64 letters, digits, "_" or "-"');
  if (typeof deployment !== 'string' || !NAME.test(deployment))
    throw invalid('deployment', 'must be 1-64 letters, digits, "_" or "-"');
  if (!Array.isArray(config.channels)) throw invalid('channels', 'must be an array');
  const seen = new Set<string>();
  config.channels.forEach((channel: ChannelConfig, index) => {
    const at = `channels[${index}]`;
    if (typeof channel?.name !== 'string' || !NAME.test(channel.name))
      throw invalid(`${at}.name`, 'must be 1-64 letters, digits, "_" or "-"');
    if (seen.has(channel.name)) throw invalid(`${at}.name`, `repeats "${channel.name}"`);
    seen.add(channel.name);
    if (!['broadcast', 'private', 'custom'].includes(channel.type))
      throw invalid(`${at}.type`, 'must be "broadcast", "private" or "custom"');
    if (channel.type === 'custom') {
      if (
        typeof channel.topic !== 'string' ||
        channel.topic === '' ||
        /[+#]/.test(channel.topic) ||
        channel.topic.startsWith('$')
      ) {
        throw invalid(`${at}.topic`, 'must be a topic without wildcards or a leading "$" (custom channels need one)');
      }
    } else if (channel.topic !== undefined) {
      throw invalid(`${at}.topic`, 'is only for custom channels (broadcast and private topics are derived)');
    }
    for (const flag of ['clientPublish', 'retainLatest', 'trustedPublish'] as const) {
      if (channel[flag] !== undefined && typeof channel[flag] !== 'boolean')
        throw invalid(`${at}.${flag}`, 'must be true or false');
    }
  });
  return { project, deployment, channels: config.channels };
}

/** The topic of `channel` for one client (`{clientId}` stays literal when given as the client id). */
export function channelTopic(
  config: Pick<ChannelsConfig, 'project' | 'deployment'>,
  channel: ChannelConfig,
  clientId: string,
): string {
  const base = `${config.project}/${config.deployment}/${channel.name}`;
  if (channel.type === 'broadcast') return base;
  if (channel.type === 'private') return `${base}/client/${clientId}`;
  return (channel.topic ?? base).replaceAll('{clientId}', clientId);
}

/** The channels as one client sees them (the registration answer's `channels`). */
export function channelsForClient(config: ChannelsConfig, clientId: string): ChannelInfo[] {
  return config.channels.map((channel) => ({
    name: channel.name,
    type: channel.type,
    topic: channelTopic(config, channel, clientId),
    clientPublish: channel.clientPublish ?? false,
    ...(channel.retainLatest === true ? { retainLatest: true } : {}),
  }));
}
