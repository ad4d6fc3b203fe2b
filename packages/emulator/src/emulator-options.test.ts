import { describe, expect, it } from 'vitest';
import { isWebcommError } from '@webcomm/core';
import { DEFAULTS, resolveOptions } from './emulator-options.js';

describe('resolveOptions', () => {
  it('applies IoT Core defaults', () => {
    const resolved = resolveOptions({ dataDir: '/tmp/x' });
    expect(resolved).toMatchObject({
      host: '127.0.0.1',
      region: DEFAULTS.region,
      credentialTtlMs: 3_600_000,
      sessionExpiryMs: 3_600_000,
      ports: { mqtt: 0, mqtts: 0, http: 0, https: 0 },
    });
    expect(resolved.limits.maxPayloadBytes).toBe(131_072);
  });

  it.each([
    [{ ports: { mqtt: 70_000 } }, 'ports.mqtt'],
    [{ credentialTtlMs: 0 }, 'credentialTtlMs'],
    [{ region: 'Not A Region' }, 'region'],
    [{ limits: { minKeepaliveSeconds: 2000 } }, 'limits.minKeepaliveSeconds'],
    [{ sessionExpiryMs: 604_800_001 }, 'sessionExpiryMs'],
  ])('names the bad option %j', (options, name) => {
    let thrown: unknown;
    try {
      resolveOptions(options);
    } catch (error) {
      thrown = error;
    }
    expect(isWebcommError(thrown, 'WEBCOMM_INVALID_OPTION')).toBe(true);
    expect((thrown as Error).message).toContain(`"${name}"`);
  });
});
