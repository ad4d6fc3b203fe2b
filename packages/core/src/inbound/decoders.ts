/** Turns received bytes into a value; throw to report a bad payload. */
export type Decoder<T> = (payload: Uint8Array, topic: string) => T;

/** How a subscription decodes payloads: JSON (default), raw bytes, or your own function. */
export type DecodeOption<T = unknown> = 'json' | 'raw' | Decoder<T>;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes UTF-8 JSON; throws on invalid UTF-8 or JSON. */
export const jsonDecoder: Decoder<unknown> = (payload) => JSON.parse(utf8.decode(payload)) as unknown;

/** Hands the bytes through unchanged. */
export const rawDecoder: Decoder<Uint8Array> = (payload) => payload;

/** The decoder function for a {@link DecodeOption}. */
export function toDecoder<T>(option: DecodeOption<T> | undefined): Decoder<T> {
  if (option === undefined || option === 'json') return jsonDecoder as Decoder<T>;
  if (option === 'raw') return rawDecoder as Decoder<T>;
  return option;
}

const encoder = new TextEncoder();

/**
 * Bytes to publish for `message`: bytes as they are, strings as UTF-8, anything else as JSON.
 * Throws (a plain error) when the value cannot be serialised as JSON.
 */
export function encodePayload(message: unknown): Uint8Array {
  if (message instanceof Uint8Array) return message;
  if (typeof message === 'string') return encoder.encode(message);
  const json = JSON.stringify(message);
  if (json === undefined) throw new TypeError(`a ${typeof message} cannot be sent as JSON`);
  return encoder.encode(json);
}
