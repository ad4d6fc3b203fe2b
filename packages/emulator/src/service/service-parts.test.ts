import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ERROR_CODES } from '@webcomm/core';
import { type UserRecord } from '@webcomm/core/internal';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfiguredChannelCatalog, DEFAULT_CHANNELS, validateChannelsConfig } from './channel-catalog.js';
import { RateLimiter } from '@webcomm/service';
import { ServiceTokens } from './service-tokens.js';
import { LevelUserDirectory } from './user-directory.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'webcomm-svc-'));
  dirs.push(dir);
  return dir;
}

describe('LevelUserDirectory (real classic-level)', () => {
  it('keeps users and bans across a reopen, and knows banned ids synchronously', async () => {
    const dir = await tempDir();
    const users = await LevelUserDirectory.open(dir, () => new Date('2026-01-01T00:00:00Z'));
    const changes: [UserRecord, string | undefined][] = [];
    users.onStatusChange((user, previous) => changes.push([user, previous]));
    await users.ensure('a', 'WEBSOCKET');
    await users.ensure('b', 'OPENSSL');
    expect((await users.ensure('a', 'OPENSSL')).kind).toBe('WEBSOCKET'); // ensure never overwrites
    await users.setStatus('b', 'banned');
    await users.touch('a', new Date('2026-01-02T00:00:00Z'));
    expect(users.isBanned('b')).toBe(true);
    expect(changes.map(([u, p]) => `${u.id}:${p}->${u.status}`)).toEqual(['b:active->banned']);
    await users.close();

    const reopened = await LevelUserDirectory.open(dir);
    expect(reopened.isBanned('b')).toBe(true);
    expect(reopened.isBanned('a')).toBe(false);
    expect(await reopened.get('a')).toEqual({
      id: 'a',
      kind: 'WEBSOCKET',
      status: 'active',
      createdAt: '2026-01-01T00:00:00.000Z',
      lastSeenAt: '2026-01-02T00:00:00.000Z',
    });
    expect((await reopened.list()).map((u) => u.id).sort()).toEqual(['a', 'b']);
    await reopened.setStatus('b', 'active');
    expect(reopened.isBanned('b')).toBe(false);
    await expect(reopened.setStatus('nobody', 'banned')).rejects.toMatchObject({ code: ERROR_CODES.INVALID_OPTION });
    await expect(reopened.setStatus('a', 'frozen' as never)).rejects.toThrow(/"active" or "banned"/);
    await reopened.close();
  });
});

describe('ServiceTokens', () => {
  it('resolves issued tokens across a reopen and stores only their hashes', async () => {
    const dir = await tempDir();
    const tokens = await ServiceTokens.open(dir);
    const token = await tokens.issue('client-1');
    expect(await tokens.resolve(token)).toBe('client-1');
    expect(await tokens.resolve('forged')).toBeUndefined();
    await tokens.close();
    const reopened = await ServiceTokens.open(dir);
    expect(await reopened.resolve(token)).toBe('client-1');
    await reopened.close();
    const folder = join(dir, 'service-tokens');
    const files = await Promise.all((await readdir(folder)).map((name) => readFile(join(folder, name))));
    expect(files.some((f) => f.includes(Buffer.from(token)))).toBe(false);
  });
});

describe('channel catalog', () => {
  it('derives broadcast, private and custom topics per client', () => {
    const catalog = new ConfiguredChannelCatalog({
      project: 'game',
      deployment: 'prod',
      channels: [...DEFAULT_CHANNELS.channels, { name: 'party', type: 'custom', topic: 'parties/{clientId}/events' }],
    });
    expect(catalog.forClient('p1').map((c) => c.topic)).toEqual([
      'game/prod/announcements',
      'game/prod/content-updates',
      'game/prod/chat',
      'game/prod/private/client/p1',
      'game/prod/tools',
      'parties/p1/events',
    ]);
    expect(catalog.trustedPublishTopics('p1')).toEqual(['game/prod/tools']);
    expect(catalog.find('chat', 'p1')?.clientPublish).toBe(true);
    expect(catalog.find('nope', 'p1')).toBeUndefined();
    expect(catalog.receiveTopics('p2')).toContain('game/prod/private/client/p2');
  });

  it.each([
    [null, '(root)'],
    [{ channels: 'x' }, '"channels"'],
    [{ project: 'a/b', channels: [] }, '"project"'],
    [{ channels: [{ name: 'a b', type: 'broadcast' }] }, '"channels[0].name"'],
    [
      {
        channels: [
          { name: 'a', type: 'broadcast' },
          { name: 'a', type: 'private' },
        ],
      },
      'repeats "a"',
    ],
    [{ channels: [{ name: 'a', type: 'radio' }] }, '"channels[0].type"'],
    [{ channels: [{ name: 'a', type: 'custom', topic: 'x/#' }] }, '"channels[0].topic"'],
    [{ channels: [{ name: 'a', type: 'broadcast', topic: 'x' }] }, 'only for custom'],
    [{ channels: [{ name: 'a', type: 'broadcast', clientPublish: 'yes' }] }, '"channels[0].clientPublish"'],
    [{ channels: [{ name: 'a', type: 'broadcast', trustedPublish: 1 }] }, '"channels[0].trustedPublish"'],
  ])('rejects %j naming %s', (config, named) => {
    expect(() => validateChannelsConfig(config)).toThrow(named);
  });

  it('writes the defaults to channels.json on first open and reads an edited file back', async () => {
    const dir = await tempDir();
    const first = await ConfiguredChannelCatalog.open(dir);
    expect(first.config).toEqual(DEFAULT_CHANNELS);
    await writeFile(
      join(dir, 'channels.json'),
      JSON.stringify({ project: 'p', deployment: 'd', channels: [{ name: 'news', type: 'broadcast' }] }),
    );
    expect((await ConfiguredChannelCatalog.open(dir)).forClient('x')).toEqual([
      { name: 'news', type: 'broadcast', topic: 'p/d/news', clientPublish: false },
    ]);
    await writeFile(join(dir, 'channels.json'), '{ nope');
    await expect(ConfiguredChannelCatalog.open(dir)).rejects.toThrow(/channels.json is not valid JSON/);
  });
});

describe('RateLimiter (injected clock)', () => {
  it('allows a burst, then refills at the sustained rate, per key', () => {
    let now = 0;
    const limiter = new RateLimiter({ burst: 3, perSecond: 2 }, () => now);
    expect([1, 2, 3].map(() => limiter.take('a').allowed)).toEqual([true, true, true]);
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfterMs: 500 });
    expect(limiter.take('b').allowed).toBe(true);
    now = 499;
    expect(limiter.take('a').allowed).toBe(false);
    now = 1_000;
    expect(limiter.take('a').allowed).toBe(true);
    expect(() => new RateLimiter({ burst: 0, perSecond: 1 })).toThrow(RangeError);
  });

  it('forgets idle full buckets so memory stays bounded', () => {
    let now = 0;
    const limiter = new RateLimiter({ burst: 1, perSecond: 1 }, () => now);
    for (let i = 0; i < 2_000; i++) limiter.take(`k${i}`);
    now = 10_000;
    limiter.take('late');
    expect(limiter.size).toBeLessThan(10);
  });
});
