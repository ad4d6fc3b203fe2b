import type { ReceivedMessage } from '../events.js';

/**
 * The MQTT 5 user property that names one published message: the same value on every copy the
 * broker sends of it (a resend with DUP, a resend under a new packet id, a publisher's retry of
 * the same publish after a dropped link). A user property rather than a field in the payload, so
 * it works for every payload (JSON, raw bytes, the Lumberyard envelope) without changing the
 * bytes a handler gets, and a backend can set it on IoT Core's data plane `Publish`
 * (`x-amz-mqtt5-user-properties`) without decoding anything. MQTT 3.1.1 has no properties:
 * there, content versions (`watchContent`) or an id in the payload give idempotence.
 *
 * The client stamps its own QoS 1 broker publishes over MQTT 5 with it, the service and
 * `createBackend()` stamp everything they publish; a backend of your own that wants its messages
 * delivered once stamps them too (any unique string: `newMessageId()`, a UUID).
 */
export const MESSAGE_ID_PROPERTY = 'webcomm-message-id';

/** The stamped message id of a received message (`MESSAGE_ID_PROPERTY`), if it has one. */
export function stampedMessageId(message: Pick<ReceivedMessage, 'properties'>): string | undefined {
  const value = message.properties?.userProperties?.[MESSAGE_ID_PROPERTY];
  const first = typeof value === 'string' ? value : value?.[0];
  return first === undefined || first === '' ? undefined : first;
}

/** A new message id (`MESSAGE_ID_PROPERTY`): 16 random bytes as base64url (22 characters). */
export function newMessageId(): string {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(16));
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
