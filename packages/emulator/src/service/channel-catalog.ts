/**
 * The channel configuration of `<dataDir>/channels.json` as the emulator's {@link ChannelCatalog}.
 * The layout (topics per channel type) and the validation are `@webcomm/service`'s, shared with
 * the AWS deployment.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ERROR_CODES, WebcommError, type ChannelInfo } from '@webcomm/core';
import {
  channelsForClient,
  channelTopic,
  DEFAULT_CHANNELS,
  validateChannelsConfig,
  type ChannelConfig,
  type ChannelsConfig,
} from '@webcomm/service';
import type { ChannelCatalog } from './contracts.js';

export { DEFAULT_CHANNELS, validateChannelsConfig };
export type { ChannelConfig, ChannelsConfig };

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
      throw new WebcommError(ERROR_CODES.INVALID_OPTION, `${path} is not valid JSON: ${(error as Error).message}`, {
        cause: error,
      });
    }
    return new ConfiguredChannelCatalog(validateChannelsConfig(parsed));
  }

  /** The topic of a channel for one client. */
  topicOf(channel: ChannelConfig, clientId: string): string {
    return channelTopic(this.config, channel, clientId);
  }

  forClient(clientId: string): ChannelInfo[] {
    return channelsForClient(this.config, clientId);
  }

  find(name: string, clientId: string): ChannelInfo | undefined {
    return this.forClient(clientId).find((channel) => channel.name === name);
  }

  receiveTopics(clientId: string): string[] {
    return this.forClient(clientId).map((channel) => channel.topic);
  }

  trustedPublishTopics(clientId: string): string[] {
    return this.config.channels
      .filter((channel) => channel.trustedPublish === true)
      .map((channel) => this.topicOf(channel, clientId));
  }
}
