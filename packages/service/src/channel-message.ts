/**
 * The payload a channel message travels as, from any publisher of the service (`POST /publish`,
 * the admin publish, a backend's `sendBroadcast`): the message as UTF-8 JSON on the channel's
 * topic, which is what webcomm clients decode (core's JSON decoder). One encoder, so every
 * publisher produces the bytes every client reads.
 */
import { ERROR_CODES, IOT_CORE_LIMITS, WebcommError } from '@webcomm/core';

/** IoT Core's largest payload, and so the largest channel message. */
export const MAX_MESSAGE_BYTES = IOT_CORE_LIMITS.maxPayloadBytes;

/** Byte length of a value serialised as JSON (0 for what JSON cannot represent). */
export function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8');
}

/**
 * The bytes of `message` on the wire. Throws `WEBCOMM_INVALID_PAYLOAD` when it is not a JSON
 * value or is over {@link MAX_MESSAGE_BYTES} as JSON.
 */
export function encodeChannelMessage(message: unknown): Uint8Array {
  const json = message === undefined ? undefined : JSON.stringify(message);
  if (json === undefined)
    throw new WebcommError(
      ERROR_CODES.INVALID_PAYLOAD,
      'A channel message must be a JSON value (got undefined or a function).',
    );
  const bytes = Buffer.from(json, 'utf8');
  if (bytes.length > MAX_MESSAGE_BYTES) {
    throw new WebcommError(
      ERROR_CODES.INVALID_PAYLOAD,
      `The message is ${bytes.length} bytes as JSON, over IoT Core's ${MAX_MESSAGE_BYTES}; send less (e.g. a URL to the content).`,
    );
  }
  return bytes;
}
