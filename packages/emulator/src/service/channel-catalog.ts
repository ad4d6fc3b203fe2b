/**
 * The channel configuration: broadcast channels (everyone), private channels (one per client)
 * and custom channels, with whether clients may publish to each. Topics follow the Lumberyard
 * Web Communicator: broadcast `{project}/{deployment}/{name}`, private
 * `{project}/{deployment}/{name}/client/{clientId}`; a custom channel names its topic, where
 * `{clientId}` is replaced per client.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ERROR_CODES, WebcommError, type ChannelInfo, type ChannelType } from '@webcomm/core';
import type { ChannelCatalog } from './contracts.js';

/** One channel in the configuration file. */
export interface ChannelConfig {
  readonly name: string;
  readonly type: ChannelType;
  /** Custom channels only: the topic, `{clientId}` allowed. */
  readonly topic?: string;
  /** Clients may publish to it through `POST /publish`. @default false */
  readonly clientPublish?: boolean;
  /** Keep the latest admin publish retained (content channels). @default false */
  readonly retainLatest?: boolean;
  /** Clients with a certificate (trusted tools, editor plugins) may publish straight to the broker. @default false */
  readonly trustedPublish?: boolean;
}

/** The configuration file (`<dataDir>/channels.json`). */
export interface ChannelsConfig {
  /** @default "webcomm" */
  readonly project: string;
  /** @default "local" */
  readonly deployment: string;
  readonly channels: readonly ChannelConfig[];
}

/** Used when the data directory has no `channels.json` (it is then written there, to edit). */
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
const SEGMENT = /^[A-Za-z0-9_-]{1,64}$/;

function invalid(field: string, problem: string): WebcommError {
  return new WebcommError(ERROR_CODES.INVALID_OPTION, `channels config: "${field}" ${problem}.`);
}

/** Validates a parsed configuration; throws naming the bad field. */
export function validateChannelsConfig(value: unknown): ChannelsConfig {
  const config = value as Partial<ChannelsConfig> | null;
  if (typeof config !== 'object' || config === null) throw invalid('(root)', 'must be an object {project, deployment, channels}');
  const project = config.project ?? DEFAULT_CHANNELS.project;
  const deployment = config.deployment ?? DEFAULT_CHANNELS.deployment;
  if (typeof project !== 'string' || !SEGMENT.test(project)) throw invalid('project', 'must be 1-64 letters, digits, "_" or "-"');
  if (typeof deployment !== 'string' || !SEGMENT.test(deployment)) throw invalid('deployment', 'must be 1-64 letters, digits, "_" or "-"');
  if (!Array.isArray(config.channels)) throw invalid('channels', 'must be an array');
  const seen = new Set<string>();
  config.channels.forEach((channel: ChannelConfig, index) => {
    const at = `channels[${index}]`;
    if (typeof channel?.name !== 'string' || !NAME.test(channel.name)) throw invalid(`${at}.name`, 'must be 1-64 letters, digits, "_" or "-"');
    if (seen.has(channel.name)) throw invalid(`${at}.name`, `repeats "${channel.name}"`);
    seen.add(channel.name);
    if (!['broadcast', 'private', 'custom'].includes(channel.type)) throw invalid(`${at}.type`, 'must be "broadcast", "private" or "custom"');
    if (channel.type === 'custom') {
      if (typeof channel.topic !== 'string' || channel.topic === '' || /[+#]/.test(channel.topic) || channel.topic.startsWith('$')) {
        throw invalid(`${at}.topic`, 'must be a topic without wildcards or a leading "$" (custom channels need one)');
      }
    } else if (channel.topic !== undefined) {
      throw invalid(`${at}.topic`, 'is only for custom channels (broadcast and private topics are derived)');
    }
    if (channel.clientPublish !== undefined && typeof channel.clientPublish !== 'boolean') throw invalid(`${at}.clientPublish`, 'must be true or false');
    if (channel.retainLatest !== undefined && typeof channel.retainLatest !== 'boolean') throw invalid(`${at}.retainLatest`, 'must be true or false');
    if (channel.trustedPublish !== undefined && typeof channel.trustedPublish !== 'boolean') throw invalid(`${at}.trustedPublish`, 'must be true or false');
  });
  return { project, deployment, channels: config.channels };
}

/** {@link ChannelCatalog} over a validated configuration. */
export class ConfiguredChannelCatalog implements ChannelCatalog {
  readonly config: ChannelsConfig;

  constructor(config: ChannelsConfig) {
    this.config = validateChannelsConfig(config);
  }

  /** Loads `<dataDir>/channels.json`, writing the defaults there first when it is absent. */
  static async open(dataDir: string): Promise<ConfiguredChannelCatalog> {
    const path = join(dataDir, 'channels.json');
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      await writeFile(path, `${JSON.stringify(DEFAULT_CHANNELS, null, 2)}\n`);
      return new ConfiguredChannelCatalog(DEFAULT_CHANNELS);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new WebcommError(ERROR_CODES.INVALID_OPTION, `${path} is not valid JSON: ${(error as Error).message}`, { cause: error });
    }
    return new ConfiguredChannelCatalog(validateChannelsConfig(parsed));
  }

  /** The topic of a channel for one client. */
  topicOf(channel: ChannelConfig, clientId: string): string {
    const base = `${this.config.project}/${this.config.deployment}/${channel.name}`;
    if (channel.type === 'broadcast') return base;
    if (channel.type === 'private') return `${base}/client/${clientId}`;
    return (channel.topic ?? base).replaceAll('{clientId}', clientId);
  }

  forClient(clientId: string): ChannelInfo[] {
    return this.config.channels.map((channel) => ({
      name: channel.name,
      type: channel.type,
      topic: this.topicOf(channel, clientId),
      clientPublish: channel.clientPublish ?? false,
      ...(channel.retainLatest === true ? { retainLatest: true } : {}),
    }));
  }

  find(name: string, clientId: string): ChannelInfo | undefined {
    return this.forClient(clientId).find((channel) => channel.name === name);
  }

  receiveTopics(clientId: string): string[] {
    return this.forClient(clientId).map((channel) => channel.topic);
  }

  trustedPublishTopics(clientId: string): string[] {
    return this.config.channels.filter((channel) => channel.trustedPublish === true).map((channel) => this.topicOf(channel, clientId));
  }
}
