import { describe, expect, it } from 'vitest';
import { jsonDecoder } from './decoders.js';

const bytes = (...values: number[]): Uint8Array => new Uint8Array(values);
const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('jsonDecoder', () => {
  it('decodes UTF-8 JSON, multi-byte characters included, also from a view into a larger buffer', () => {
    expect(jsonDecoder(utf8('{"name":"Zoë","icon":"🎮"}'), 't')).toEqual({ name: 'Zoë', icon: '🎮' });
    const framed = utf8('xx[1,2]yy');
    expect(jsonDecoder(framed.subarray(2, 7), 't')).toEqual([1, 2]);
  });

  it('keeps a real U+FFFD character', () => {
    expect(jsonDecoder(utf8('"a\uFFFDb"'), 't')).toBe('a\uFFFDb');
  });

  it('rejects invalid UTF-8 instead of replacing it', () => {
    // "é" as a lone Latin-1 byte, an overlong "/", and a truncated 3-byte sequence, each in a JSON string.
    expect(() => jsonDecoder(bytes(0x22, 0xe9, 0x22), 't')).toThrow();
    expect(() => jsonDecoder(bytes(0x22, 0xc0, 0xaf, 0x22), 't')).toThrow();
    expect(() => jsonDecoder(bytes(0x22, 0xe2, 0x82, 0x22), 't')).toThrow();
  });

  it('rejects text that is not JSON', () => {
    expect(() => jsonDecoder(utf8('not json'), 't')).toThrow(SyntaxError);
  });
});
