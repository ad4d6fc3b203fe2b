/**
 * `@webcomm/service`: the Web Communicator service written once, with no platform dependency:
 * the channel layout, the channel message encoding, and (see the route modules) the HTTP API
 * over small ports that the emulator and the AWS Lambda handlers both implement.
 */
export { DEFAULT_CHANNELS, channelTopic, channelsForClient, validateChannelsConfig } from './channels-config.js';
export type { ChannelConfig, ChannelsConfig } from './channels-config.js';
export { MAX_MESSAGE_BYTES, encodeChannelMessage, jsonBytes } from './channel-message.js';
