import { describe, expect, it } from 'vitest';
import { isWebcommError } from '@webcomm/core';
import { staticCredentials } from './credentials.js';
import { credentialsFromFunction } from './refreshing-credentials.js';

describe('credentialsFromFunction', () => {
  it('calls the source once for credentials without expiry', async () => {
    let calls = 0;
    const provider = credentialsFromFunction(() => ({ accessKeyId: `A${++calls}`, secretAccessKey: 's' }));
    await provider();
    expect((await provider()).accessKeyId).toBe('A1');
    expect(calls).toBe(1);
  });

  it('merges concurrent refreshes, and retries after a failure instead of caching it', async () => {
    let t = 0;
    let calls = 0;
    let fail = true;
    let release: () => void = () => undefined;
    const provider = credentialsFromFunction(
      async () => {
        calls += 1;
        await new Promise<void>((resolve) => (release = resolve));
        if (fail) throw new Error('source down');
        return { accessKeyId: `A${calls}`, secretAccessKey: 's', expiration: new Date(t + 60_000) };
      },
      { refreshMarginMs: 10_000, now: () => t },
    );
    const failed = Promise.allSettled([provider(), provider()]);
    release();
    expect((await failed).map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(calls).toBe(1);
    fail = false;
    const pending = [provider(), provider(), provider()];
    release();
    expect((await Promise.all(pending)).map((c) => c.accessKeyId)).toEqual(['A2', 'A2', 'A2']);
    t = 49_000;
    expect((await provider()).accessKeyId).toBe('A2');
    t = 50_001; // within 10 s of expiry
    const next = provider();
    release();
    expect((await next).accessKeyId).toBe('A3');
  });

  it('names a malformed result and bad options', async () => {
    const provider = credentialsFromFunction(() => ({ accessKeyId: 'A' }) as never);
    const error = await provider().catch((e: unknown) => e);
    expect(isWebcommError(error, 'WEBCOMM_BAD_CREDENTIALS')).toBe(true);
    expect((error as Error).message).toContain('secretAccessKey');
    expect(() =>
      credentialsFromFunction(() => ({ accessKeyId: 'A', secretAccessKey: 's' }), { refreshMarginMs: -1 }),
    ).toThrow(/refreshMarginMs/);
    expect(() => staticCredentials({ accessKeyId: 'A', secretAccessKey: 's', expiration: new Date('x') })).toThrow(
      /expiration/,
    );
  });
});
