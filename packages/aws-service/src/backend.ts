/**
 * Backends that push (the Lumberyard gem's "Communicating to Clients from a Cloud Gem"): a
 * server-side API that sends channel messages to clients through the IoT data plane's
 * `Publish`, with the topic layout and encoding of `@webcomm/service`, so a webcomm client
 * decodes them as it decodes any channel message. Works against AWS IoT Core and, unchanged,
 * against the emulator's data plane (`emulator.endpoints.iotData`, `emulator.backendCredentials`).
 */
import {
  DeleteConnectionCommand,
  IoTDataPlaneClient,
  type IoTDataPlaneClientConfig,
} from '@aws-sdk/client-iot-data-plane';
import { ERROR_CODES, newMessageId, WebcommError } from '@webcomm/core';
import { suggestChannel } from '@webcomm/core/internal';
import {
  channelTopic,
  encodeChannelMessage,
  validateChannelsConfig,
  type ChannelConfig,
  type ChannelsConfig,
} from '@webcomm/service';
import { DataPlanePublisher } from './adapters/data-plane-ports.js';
import { dataPlaneError } from './data-plane-error.js';

/** Options of {@link createBackend}. */
export interface BackendOptions {
  /**
   * The IoT data endpoint: `https://PREFIX-ats.iot.REGION.amazonaws.com` (`aws iot
   * describe-endpoint --endpoint-type iot:Data-ATS`), or the emulator's `endpoints.iotData`.
   */
  readonly endpoint: string;
  /** The AWS region (the emulator's `region`). */
  readonly region: string;
  /**
   * Credentials, or an async provider of them. @default the SDK's default chain (a Lambda's role)
   */
  readonly credentials?: IoTDataPlaneClientConfig['credentials'];
  /** The service's channel configuration: project, deployment and channels, as the construct's `channels` prop. */
  readonly channels: ChannelsConfig;
  /** QoS of the publishes (IoT Core has no QoS 2). @default 1 */
  readonly qos?: 0 | 1;
  /** A data-plane client to use instead of building one (custom middleware, retries). */
  readonly client?: IoTDataPlaneClient;
}

/** Where a message went. */
export interface SendResult {
  readonly channel: string;
  readonly topic: string;
}

/** The server-side API of the service. */
export interface Backend {
  /** Sends `message` (any JSON value) to every client subscribed to the broadcast channel `channel`. */
  sendBroadcast(channel: string, message: unknown): Promise<SendResult>;
  /** Sends `message` to one client on its private channel `channel` (topic `…/{channel}/client/{clientId}`). */
  sendToClient(clientId: string, channel: string, message: unknown): Promise<SendResult>;
  /**
   * Drops the client's live connection (`DeleteConnection`); resolves false when it was not
   * connected. It does not stop a reconnect: ban the user for that.
   */
  disconnect(clientId: string): Promise<boolean>;
  /** Releases the data-plane client (when this backend built it). */
  close(): void;
}

// eslint-disable-next-line no-control-regex -- U+0000 is what must be refused (MQTT forbids it in strings)
const CLIENT_ID = /^[^+#/\u0000$][^+#/\u0000]{0,127}$/u;

function invalid(message: string): WebcommError {
  return new WebcommError(ERROR_CODES.INVALID_OPTION, message);
}

/** Builds a {@link Backend}; every option is checked here, with a message naming it. */
export function createBackend(options: BackendOptions): Backend {
  if (typeof options?.endpoint !== 'string' || !/^https?:\/\/[^/]+/.test(options.endpoint)) {
    throw invalid(
      'createBackend: "endpoint" must be the IoT data endpoint URL, e.g. https://PREFIX-ats.iot.REGION.amazonaws.com (or the emulator\'s endpoints.iotData).',
    );
  }
  if (typeof options.region !== 'string' || options.region === '')
    throw invalid('createBackend: "region" must name the AWS region, e.g. "eu-west-1".');
  if (options.qos !== undefined && options.qos !== 0 && options.qos !== 1)
    throw invalid('createBackend: "qos" must be 0 or 1 (IoT Core has no QoS 2).');
  const config = validateChannelsConfig(options.channels);
  const qos = options.qos ?? 1;
  const owned = options.client === undefined;
  const client =
    options.client ??
    new IoTDataPlaneClient({
      endpoint: options.endpoint,
      region: options.region,
      ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
    });

  const channelNamed = (name: string, wanted: 'broadcast' | 'per-client'): ChannelConfig => {
    const channel = config.channels.find((candidate) => candidate.name === name);
    if (channel === undefined) {
      throw new WebcommError(
        ERROR_CODES.UNKNOWN_CHANNEL,
        `No channel "${name}" in the configuration (${suggestChannel(
          name,
          config.channels.map((c) => c.name),
        )}).`,
        { topic: name },
      );
    }
    const perClient =
      channel.type === 'private' || (channel.type === 'custom' && (channel.topic ?? '').includes('{clientId}'));
    if (wanted === 'broadcast' && perClient)
      throw new WebcommError(
        ERROR_CODES.INVALID_TOPIC,
        `Channel "${name}" is per client: use sendToClient(clientId, "${name}", message).`,
        { topic: name },
      );
    if (wanted === 'per-client' && !perClient)
      throw new WebcommError(
        ERROR_CODES.INVALID_TOPIC,
        `Channel "${name}" is a broadcast channel: use sendBroadcast("${name}", message).`,
        { topic: name },
      );
    return channel;
  };

  const publisher = new DataPlanePublisher(client);
  const publish = async (channel: ChannelConfig, clientId: string, message: unknown): Promise<SendResult> => {
    const topic = channelTopic(config, channel, clientId);
    // A fresh id per send: a client delivers the message once even if the broker resends it.
    await publisher.publish(topic, encodeChannelMessage(message), {
      qos,
      retain: channel.retainLatest === true,
      messageId: newMessageId(),
    });
    return { channel: channel.name, topic };
  };

  const checkClientId = (clientId: string): void => {
    if (typeof clientId !== 'string' || !CLIENT_ID.test(clientId)) {
      throw invalid(
        `Client id "${String(clientId).slice(0, 64)}" must be 1-128 characters without "/", "+", "#" or a leading "$" (the id from the client's registration).`,
      );
    }
  };

  return {
    sendBroadcast: async (channel, message) => publish(channelNamed(channel, 'broadcast'), '', message),
    sendToClient: async (clientId, channel, message) => {
      checkClientId(clientId);
      return publish(channelNamed(channel, 'per-client'), clientId, message);
    },
    disconnect: async (clientId) => {
      checkClientId(clientId);
      try {
        await client.send(new DeleteConnectionCommand({ clientId }));
        return true;
      } catch (error) {
        if ((error as { name?: unknown })?.name === 'ResourceNotFoundException') return false;
        throw dataPlaneError(error, `DeleteConnection of ${clientId}`);
      }
    },
    close: () => {
      if (owned) client.destroy();
    },
  };
}
