/** Writes MQTT's primitive types into chunks, joined once by {@link ByteWriter.finish}. */
export class ByteWriter {
  readonly #parts: Uint8Array[] = [];
  #small: number[] = [];
  #length = 0;

  get length(): number {
    return this.#length + this.#small.length;
  }

  u8(n: number): this {
    this.#small.push(n & 0xff);
    return this;
  }

  u16(n: number): this {
    this.#small.push((n >> 8) & 0xff, n & 0xff);
    return this;
  }

  u32(n: number): this {
    this.#small.push((n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
    return this;
  }

  /** Variable byte integer (up to 268,435,455). */
  varint(n: number): this {
    if (!Number.isInteger(n) || n < 0 || n > 268_435_455)
      throw new RangeError(`MQTT variable byte integer out of range: ${n}`);
    do {
      let byte = n % 128;
      n = Math.floor(n / 128);
      if (n > 0) byte |= 0x80;
      this.#small.push(byte);
    } while (n > 0);
    return this;
  }

  /** Bytes as they are (a payload). */
  raw(bytes: Uint8Array): this {
    if (bytes.byteLength === 0) return this;
    this.#flush();
    this.#parts.push(bytes);
    this.#length += bytes.byteLength;
    return this;
  }

  /** Two-byte length, then the bytes. */
  binary(bytes: Uint8Array): this {
    if (bytes.byteLength > 0xffff)
      throw new RangeError(`MQTT binary field longer than 65,535 bytes (${bytes.byteLength})`);
    return this.u16(bytes.byteLength).raw(bytes);
  }

  /** Two-byte length, then UTF-8. */
  string(text: string): this {
    return this.binary(utf8.encode(text));
  }

  /** One buffer of everything written. */
  finish(): Uint8Array {
    this.#flush();
    if (this.#parts.length === 1) return this.#parts[0] as Uint8Array;
    const out = new Uint8Array(this.#length);
    let at = 0;
    for (const part of this.#parts) {
      out.set(part, at);
      at += part.byteLength;
    }
    return out;
  }

  #flush(): void {
    if (this.#small.length === 0) return;
    this.#parts.push(Uint8Array.from(this.#small));
    this.#length += this.#small.length;
    this.#small = [];
  }
}

/** Reads MQTT's primitive types from one packet's bytes; running past the end throws. */
export class ByteReader {
  readonly #bytes: Uint8Array;
  #at: number;
  readonly #end: number;

  constructor(bytes: Uint8Array, start = 0, end = bytes.byteLength) {
    this.#bytes = bytes;
    this.#at = start;
    this.#end = end;
  }

  get position(): number {
    return this.#at;
  }

  get remaining(): number {
    return this.#end - this.#at;
  }

  u8(): number {
    this.#need(1);
    return this.#bytes[this.#at++] as number;
  }

  u16(): number {
    return (this.u8() << 8) | this.u8();
  }

  u32(): number {
    return ((this.u8() << 24) >>> 0) + ((this.u8() << 16) | (this.u8() << 8) | this.u8());
  }

  varint(): number {
    let value = 0;
    let multiplier = 1;
    for (let i = 0; i < 4; i++) {
      const byte = this.u8();
      value += (byte & 0x7f) * multiplier;
      if ((byte & 0x80) === 0) return value;
      multiplier *= 128;
    }
    throw new RangeError('Malformed MQTT variable byte integer (more than 4 bytes)');
  }

  /** `n` bytes, as a view (no copy). */
  bytes(n: number): Uint8Array {
    this.#need(n);
    const out = this.#bytes.subarray(this.#at, this.#at + n);
    this.#at += n;
    return out;
  }

  binary(): Uint8Array {
    return this.bytes(this.u16());
  }

  string(): string {
    return utf8Decoder.decode(this.binary());
  }

  /** Everything left, as a view. */
  rest(): Uint8Array {
    return this.bytes(this.remaining);
  }

  #need(n: number): void {
    if (this.#at + n > this.#end) throw new RangeError('Malformed MQTT packet: shorter than its fields');
  }
}

const utf8 = new TextEncoder();
// MQTT strings must be well-formed UTF-8 [MQTT-1.5.4-1]: a malformed one fails the packet.
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });
