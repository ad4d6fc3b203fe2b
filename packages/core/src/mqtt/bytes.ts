/**
 * MQTT.js writes Buffers; a Uint8Array becomes a Buffer view without copying where `Buffer`
 * exists (Node, or a browser bundle that provides it), else it is passed as it is.
 */
export function toMqttBytes(bytes: Uint8Array): Buffer {
  const NodeBuffer = (globalThis as { Buffer?: typeof Buffer }).Buffer;
  if (NodeBuffer === undefined) return bytes as Buffer;
  return NodeBuffer.isBuffer(bytes) ? bytes : NodeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Received bytes as a plain Uint8Array view (no copy). */
export function fromMqttBytes(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
