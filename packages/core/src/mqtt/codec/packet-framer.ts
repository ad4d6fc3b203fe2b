/**
 * Cuts a byte stream into whole MQTT packets. Chunks arrive as the socket delivers them (a
 * packet may span reads, a read may hold many packets); each complete packet is handed to
 * `onPacket` as its first header byte and a view of its body. Only a packet split across reads
 * is copied.
 */
export class PacketFramer {
  readonly #onPacket: (header: number, body: Uint8Array) => void;
  readonly #maxPacketBytes: number;
  /** Bytes of an unfinished packet, kept until `#needed` bytes are here (0: length unknown). */
  readonly #pending: Uint8Array[] = [];
  #pendingBytes = 0;
  #needed = 0;

  /** @param maxPacketBytes - a larger packet is a fault (MQTT's own ceiling is 256 MB). */
  constructor(onPacket: (header: number, body: Uint8Array) => void, maxPacketBytes = 268_435_460) {
    this.#onPacket = onPacket;
    this.#maxPacketBytes = maxPacketBytes;
  }

  /** Feeds one chunk; throws a `RangeError` on a malformed length or an oversized packet. */
  push(chunk: Uint8Array): void {
    let bytes = chunk;
    if (this.#pendingBytes > 0) {
      this.#pending.push(chunk);
      this.#pendingBytes += chunk.byteLength;
      // A large packet arrives in many reads: join once, when all of it is here.
      if (this.#pendingBytes < this.#needed) return;
      bytes = join(this.#pending.splice(0), this.#pendingBytes);
      this.#pendingBytes = 0;
    }
    let at = 0;
    while (at < bytes.byteLength) {
      const frame = this.#frameAt(bytes, at);
      if (typeof frame === 'number') {
        this.#needed = frame;
        break;
      }
      const [bodyStart, bodyEnd] = frame;
      this.#onPacket(bytes[at] as number, bytes.subarray(bodyStart, bodyEnd));
      at = bodyEnd;
    }
    if (at < bytes.byteLength) {
      this.#pending.push(bytes.slice(at));
      this.#pendingBytes = bytes.byteLength - at;
    }
  }

  /** Body bounds of the packet at `at`; when it is not all here, the bytes it needs (0: unknown yet). */
  #frameAt(bytes: Uint8Array, at: number): [number, number] | number {
    let length = 0;
    let multiplier = 1;
    let i = at + 1;
    for (;;) {
      if (i >= bytes.byteLength) return 0;
      const byte = bytes[i++] as number;
      length += (byte & 0x7f) * multiplier;
      if ((byte & 0x80) === 0) break;
      multiplier *= 128;
      if (i - at > 4) throw new RangeError('Malformed MQTT remaining length (more than 4 bytes)');
    }
    if (length > this.#maxPacketBytes)
      throw new RangeError(`MQTT packet of ${length} bytes exceeds the limit of ${this.#maxPacketBytes}`);
    return i + length <= bytes.byteLength ? [i, i + length] : i - at + length;
  }
}

function join(chunks: readonly Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
}
