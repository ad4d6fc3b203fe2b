import { describeThrown } from '../util/describe-thrown.js';
import type { OutgoingMessage } from './channel-publisher.js';
import { suggestChannel } from '../inbound/channel-names.js';
import { encodePayload } from '../inbound/decoders.js';
import { PUBLISH_OPTION_KEYS } from '../client-option-keys.js';
import { ERROR_CODES, WebcommError } from '../errors.js';
import { assertKnownOptions } from '../util/option-keys.js';
import type { PublishMode, ResolvedChannel } from '../options.js';
import type { PublishProperties, UserProperties } from '../mqtt/mqtt-engine.js';
import { assertPayloadSize, assertPublishTopic, type TopicLimits } from '../inbound/topic-rules.js';
import { MESSAGE_ID_PROPERTY, newMessageId } from '../inbound/message-id.js';

/** A publish that passed every check, with the path it takes. */
export interface PreparedPublish {
  readonly mode: Exclude<PublishMode, false>;
  readonly outgoing: OutgoingMessage;
}

/**
 * Checks a publish before anything is sent: the channel exists and is opted in, its topic is a
 * valid publish topic, the QoS is 0 or 1, the message encodes and fits the payload limit.
 * Throws the typed error naming the rule.
 */
export function preparePublish(
  channelName: string,
  channels: ReadonlyMap<string, ResolvedChannel>,
  mode: PublishMode,
  message: unknown,
  options: {
    readonly qos?: number;
    readonly retain?: boolean;
    readonly expirySeconds?: number;
    readonly userProperties?: UserProperties;
  },
  limits: TopicLimits,
  protocolVersion: 4 | 5 = 4,
): PreparedPublish {
  assertKnownOptions(options, PUBLISH_OPTION_KEYS, `publish("${channelName}")`);
  const channel = channels.get(channelName);
  if (channel === undefined || mode === false) {
    throw new WebcommError(
      ERROR_CODES.PUBLISH_NOT_ENABLED,
      channel === undefined
        ? `Cannot publish to "${channelName}": no such channel (${suggestChannel(channelName, channels.keys())}). Declare it in options.channels with a publish mode.`
        : `Publishing to channel "${channelName}" is not enabled; set its publish option or call enablePublish("${channelName}").`,
      { topic: channelName },
    );
  }
  assertPublishTopic(channel.topic, limits);
  const qos = options.qos ?? 0;
  if (qos !== 0 && qos !== 1) {
    throw new WebcommError(
      ERROR_CODES.INVALID_OPTION,
      `Option "qos" must be 0 or 1 (IoT Core has no QoS 2); got ${String(qos)}.`,
      {
        topic: channel.topic,
      },
    );
  }
  let payload: Uint8Array;
  try {
    payload = encodePayload(message);
  } catch (cause) {
    throw new WebcommError(
      ERROR_CODES.INVALID_PAYLOAD,
      `Cannot encode the message for "${channelName}": ${describeThrown(cause)}`,
      {
        cause,
        topic: channel.topic,
      },
    );
  }
  assertPayloadSize(channel.topic, payload, limits);
  const canCarry = mode === 'broker' && protocolVersion === 5;
  const given = publishProperties(channel.topic, options, canCarry);
  // A QoS 1 broker publish may be sent again (after a dropped link) and resent by the broker:
  // stamped once here, every copy carries the same id, so receivers deliver it once. A
  // stamp the caller set is kept.
  const properties = canCarry && qos === 1 ? stamped(given) : given;
  return {
    mode,
    outgoing: {
      channel: channel.name,
      topic: channel.topic,
      message,
      payload,
      qos,
      retain: options.retain ?? false,
      ...(properties === undefined ? {} : { properties }),
    },
  };
}

/** `properties` with a `MESSAGE_ID_PROPERTY` user property, unless they have one. */
function stamped(properties: PublishProperties | undefined): PublishProperties {
  const user = properties?.userProperties;
  if (user?.[MESSAGE_ID_PROPERTY] !== undefined) return properties as PublishProperties;
  return { ...properties, userProperties: { [MESSAGE_ID_PROPERTY]: newMessageId(), ...user } };
}

/** The MQTT 5 properties of a publish, validated; only broker publishes over MQTT 5 can carry them. */
function publishProperties(
  topic: string,
  options: { readonly expirySeconds?: number; readonly userProperties?: UserProperties },
  canCarry: boolean,
): PublishProperties | undefined {
  const { expirySeconds, userProperties } = options;
  if (expirySeconds === undefined && userProperties === undefined) return undefined;
  const bad = (option: string, problem: string): WebcommError =>
    new WebcommError(ERROR_CODES.INVALID_OPTION, `Option "${option}" ${problem}`, { topic });
  const given = expirySeconds === undefined ? 'userProperties' : 'expirySeconds';
  if (!canCarry) throw bad(given, "needs publish: 'broker' and protocolVersion: 5.");
  if (
    expirySeconds !== undefined &&
    (!Number.isInteger(expirySeconds) || expirySeconds < 1 || expirySeconds > 0xffff_ffff)
  ) {
    throw bad('expirySeconds', `must be whole seconds ≥ 1; got ${String(expirySeconds)}.`);
  }
  if (userProperties !== undefined) {
    const valid =
      typeof userProperties === 'object' &&
      userProperties !== null &&
      Object.values(userProperties).every(
        (v) => typeof v === 'string' || (Array.isArray(v) && v.every((x) => typeof x === 'string')),
      );
    if (!valid) throw bad('userProperties', 'must map names to strings or string arrays.');
  }
  return {
    ...(expirySeconds === undefined ? {} : { messageExpiryInterval: expirySeconds }),
    ...(userProperties === undefined ? {} : { userProperties }),
  };
}
