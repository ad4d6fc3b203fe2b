/**
 * The MQTT 5 properties of a data-plane `Publish` (`POST /topics/{topic}`), read as
 * `@aws-sdk/client-iot-data-plane` sends them and IoT Core documents them:
 *
 * | property | where |
 * |---|---|
 * | content type | query `contentType` |
 * | response topic | query `responseTopic` (a concrete topic) |
 * | message expiry | query `messageExpiry`, whole seconds 1-604,800 |
 * | user properties | header `x-amz-mqtt5-user-properties`: base64 of a JSON array of `{"name": "value"}` objects |
 * | payload format | header `x-amz-mqtt5-payload-format-indicator`: `UNSPECIFIED_BYTES` or `UTF8_DATA` |
 * | correlation data | header `x-amz-mqtt5-correlation-data`: base64 |
 *
 * A malformed value is refused (the caller answers 400 `InvalidRequestException`) rather than
 * dropped: a backend that works here must not lose a property silently on AWS.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { MessageProperties } from '../broker/message-properties.js';
import { IOT_LIMITS, topicProblem } from '../broker/iot-limits.js';

/** IoT Core's longest message expiry: 7 days. */
export const MAX_MESSAGE_EXPIRY_S = 604_800;

/** Why a property was refused; `message` is the InvalidRequestException text. */
export class PublishPropertyProblem extends Error {}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

function base64(value: string, name: string): Buffer {
  if (!BASE64.test(value)) throw new PublishPropertyProblem(`Header "${name}" must be base64.`);
  return Buffer.from(value, 'base64');
}

function userProperties(encoded: string): Record<string, string | string[]> {
  const name = 'x-amz-mqtt5-user-properties';
  let parsed: unknown;
  try {
    parsed = JSON.parse(base64(encoded, name).toString('utf8'));
  } catch (error) {
    if (error instanceof PublishPropertyProblem) throw error;
    parsed = undefined;
  }
  const shape = `Header "${name}" must be base64 of a JSON array of {"name": "value"} objects with string values.`;
  if (!Array.isArray(parsed)) throw new PublishPropertyProblem(shape);
  const properties: Record<string, string | string[]> = {};
  for (const entry of parsed as unknown[]) {
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) throw new PublishPropertyProblem(shape);
    for (const [key, value] of Object.entries(entry)) {
      if (typeof value !== 'string') throw new PublishPropertyProblem(shape);
      const previous = properties[key];
      properties[key] = previous === undefined ? value : [...(Array.isArray(previous) ? previous : [previous]), value];
    }
  }
  return properties;
}

function messageExpiry(text: string): number {
  const seconds = /^\d{1,7}$/.test(text) ? Number(text) : NaN;
  if (!(seconds >= 1 && seconds <= MAX_MESSAGE_EXPIRY_S))
    throw new PublishPropertyProblem(
      `Query parameter "messageExpiry" must be whole seconds from 1 to ${MAX_MESSAGE_EXPIRY_S} (7 days).`,
    );
  return seconds;
}

function responseTopic(topic: string): string {
  const problem = topicProblem(topic, IOT_LIMITS);
  if (problem !== undefined || /[+#]/.test(topic))
    throw new PublishPropertyProblem(
      `Query parameter "responseTopic" must be a concrete topic (${problem?.message ?? 'no wildcards'}).`,
    );
  return topic;
}

function payloadFormat(value: string): boolean {
  if (value === 'UTF8_DATA') return true;
  if (value === 'UNSPECIFIED_BYTES') return false;
  throw new PublishPropertyProblem(
    'Header "x-amz-mqtt5-payload-format-indicator" must be UNSPECIFIED_BYTES or UTF8_DATA.',
  );
}

/**
 * The MQTT 5 properties a `Publish` request carries (only those it sets).
 * @throws PublishPropertyProblem naming the malformed parameter or header
 */
export function publishProperties(query: URLSearchParams, headers: IncomingHttpHeaders): MessageProperties {
  const properties: {
    -readonly [K in keyof MessageProperties]: MessageProperties[K];
  } = {};
  const contentType = query.get('contentType');
  if (contentType !== null) properties.contentType = contentType;
  const topic = query.get('responseTopic');
  if (topic !== null) properties.responseTopic = responseTopic(topic);
  const expiry = query.get('messageExpiry');
  if (expiry !== null) properties.messageExpiryInterval = messageExpiry(expiry);
  const format = header(headers, 'x-amz-mqtt5-payload-format-indicator');
  if (format !== undefined) properties.payloadFormatIndicator = payloadFormat(format);
  const correlation = header(headers, 'x-amz-mqtt5-correlation-data');
  if (correlation !== undefined) properties.correlationData = base64(correlation, 'x-amz-mqtt5-correlation-data');
  const user = header(headers, 'x-amz-mqtt5-user-properties');
  if (user !== undefined) properties.userProperties = userProperties(user);
  return properties;
}
