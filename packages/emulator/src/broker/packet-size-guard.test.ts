import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PacketSizeGuard } from './packet-size-guard.js';

function remainingLength(length: number): Buffer {
  const bytes: number[] = [];
  do {
    let byte = length % 128;
    length = Math.floor(length / 128);
    if (length > 0) byte |= 0x80;
    bytes.push(byte);
  } while (length > 0);
  return Buffer.from(bytes);
}

/** A QoS 0 PUBLISH on `game/x`. */
function publish(payloadBytes: number): Buffer {
  const body = Buffer.concat([Buffer.from([0x00, 0x06]), Buffer.from('game/x'), Buffer.alloc(payloadBytes)]);
  return Buffer.concat([Buffer.from([0x30]), remainingLength(body.length), body]);
}

/** Feeds `bytes` in the given chunk sizes (cycled). */
function feedInChunks(guard: PacketSizeGuard, bytes: Buffer, sizes: number[]): boolean {
  let at = 0;
  let i = 0;
  while (at < bytes.length) {
    const size = Math.max(1, sizes[i++ % sizes.length] ?? 1);
    if (!guard.feed(bytes.subarray(at, at + size)).ok) return false;
    at += size;
  }
  return true;
}

describe('PacketSizeGuard', () => {
  it('passes streams of packets up to the cap, however they are split (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 2_000 }), { minLength: 1, maxLength: 6 }),
        fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1 }),
        (payloads, sizes) => {
          const stream = Buffer.concat(payloads.map(publish));
          const largest = Math.max(...payloads.map((bytes) => publish(bytes).length));
          expect(feedInChunks(new PacketSizeGuard(largest), stream, sizes)).toBe(true);
        },
      ),
    );
  });

  it('refuses the first packet over the cap from its header alone, split anywhere (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 3 }),
        fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1 }),
        (before, sizes) => {
          const small = Buffer.concat(Array.from({ length: before }, () => publish(10)));
          // Only the fixed header of a 256 MB CONNECT: refused before any body arrives.
          const header = Buffer.from([0x10, 0xff, 0xff, 0xff, 0x7f]);
          expect(feedInChunks(new PacketSizeGuard(1_024), Buffer.concat([small, header]), sizes)).toBe(false);
        },
      ),
    );
  });

  it('names the problem and keeps refusing', () => {
    const guard = new PacketSizeGuard(100);
    expect(guard.feed(Buffer.from([0x30, 0x65]))).toEqual({
      ok: false,
      problem: 'packet declares 101+ bytes, over the 100-byte limit',
    });
    expect(guard.feed(Buffer.from([0xc0, 0x00])).ok).toBe(false);
    expect(new PacketSizeGuard(1 << 30).feed(Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff]))).toEqual({
      ok: false,
      problem: 'malformed remaining length (more than 4 bytes)',
    });
  });

  it('accepts a packet of exactly the cap and zero-length packets', () => {
    const guard = new PacketSizeGuard(publish(300).length - 3); // type byte + 2 length bytes
    expect(guard.feed(Buffer.concat([publish(300), Buffer.from([0xc0, 0x00, 0xd0, 0x00])])).ok).toBe(true);
  });
});
