import { describe, expect, it } from 'vitest';
import { ERROR_CODES, WebcommError } from './errors.js';
import { DEFAULTS, type WebcommClientOptions } from './options.js';
import { resolveOptions } from './resolve-options.js';
import type { Transport } from './transport.js';

const transport: Transport = { name: 'none', open: () => Promise.reject(new Error('unused')) };
const base: WebcommClientOptions = { transport, clientId: 'player-1' };

function badOption(options: unknown): string | undefined {
  try {
    resolveOptions(options as WebcommClientOptions);
  } catch (error) {
    expect(error).toBeInstanceOf(WebcommError);
    expect((error as WebcommError).code).toBe(ERROR_CODES.INVALID_OPTION);
    return /Option "([^"]+)"/.exec((error as Error).message)?.[1];
  }
  return undefined;
}

describe('resolveOptions', () => {
  it('fills documented defaults and returns a new object', () => {
    const input = { ...base, limits: { maxTopicLevels: 10 } };
    const frozen = JSON.stringify({ ...input, transport: undefined });
    const o = resolveOptions(input);
    expect(o.keepaliveSeconds).toBe(DEFAULTS.keepaliveSeconds);
    expect(o.protocolVersion).toBe(4);
    expect(o.limits).toEqual({ ...DEFAULTS.limits, maxTopicLevels: 10 });
    expect(o.queue).toEqual(DEFAULTS.queue);
    expect(o.backoff).toEqual(DEFAULTS.backoff);
    expect(o).not.toBe(input);
    expect(JSON.stringify({ ...input, transport: undefined })).toBe(frozen);
  });

  it('names the bad option', () => {
    expect(badOption(null)).toBe('options');
    expect(badOption({ clientId: 'x' })).toBe('transport');
    expect(badOption({ ...base, clientId: '' })).toBe('clientId');
    expect(badOption({ ...base, clientId: '$sys' })).toBe('clientId');
    expect(badOption({ ...base, clientId: 'x'.repeat(129) })).toBe('clientId');
    expect(badOption({ ...base, keepaliveSeconds: 0 })).toBe('keepaliveSeconds');
    expect(badOption({ ...base, keepaliveSeconds: Number.NaN })).toBe('keepaliveSeconds');
    expect(badOption({ ...base, protocolVersion: 3 })).toBe('protocolVersion');
    expect(badOption({ ...base, backoff: { strategy: 'linear' } })).toBe('backoff.strategy');
    expect(badOption({ ...base, backoff: { multiplier: 0.5 } })).toBe('backoff.multiplier');
    expect(badOption({ ...base, queue: { overflow: 'drop-all' } })).toBe('queue.overflow');
    expect(badOption({ ...base, queue: { maxCount: -1 } })).toBe('queue.maxCount');
    expect(badOption({ ...base, limits: { maxFiltersPerSubscribe: 0 } })).toBe('limits.maxFiltersPerSubscribe');
    expect(badOption({ ...base, logLevel: 'verbose' })).toBe('logLevel');
    expect(badOption({ ...base, clock: {} })).toBe('clock');
    expect(badOption({ ...base, channels: [{ name: '', topic: 'a' }] })).toBe('channels[0].name');
    expect(badOption({ ...base, channels: [{ name: 'a', topic: 'a/#/b' }] })).toBe('channels[0].topic');
    expect(
      badOption({
        ...base,
        channels: [
          { name: 'a', topic: 'a' },
          { name: 'a', topic: 'b' },
        ],
      }),
    ).toBe('channels[1].name');
    expect(badOption({ ...base, channels: [{ name: 'a', topic: 'a', publish: 'http' }] })).toBe('channels[0].publish');
  });

  it('keeps registration channels receive-only and custom publish modes as given', () => {
    const o = resolveOptions({
      ...base,
      channels: [
        { name: 'news', type: 'broadcast', topic: 'p/d/news', clientPublish: true },
        { name: 'tools', topic: 'p/d/tools', publish: 'broker', decode: 'raw' },
      ],
    });
    expect(o.channels.get('news')).toEqual({ name: 'news', topic: 'p/d/news', publish: false, decode: undefined });
    expect(o.channels.get('tools')).toEqual({ name: 'tools', topic: 'p/d/tools', publish: 'broker', decode: 'raw' });
  });
});
