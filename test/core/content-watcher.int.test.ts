/** Content versions against a real aedes (retained "latest" messages) over real TCP. */
import {
  ContentWatcher,
  ERROR_CODES,
  watchContent,
  WebcommClient,
  type ContentChange,
  type ContentVersionStore,
  type WebcommError,
} from '@webcomm/core';
import { afterEach, describe, expect, it } from 'vitest';
import { startBroker, type TestBroker } from '../helpers/broker.js';
import { tcpTransport } from '../helpers/tcp-transport.js';

const TOPIC = 'game/prod/content-updates';
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function broker(): Promise<TestBroker> {
  const b = await startBroker();
  cleanups.push(() => b.stop());
  return b;
}

function publish(b: TestBroker, payload: unknown, retain = true): Promise<void> {
  const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
  return new Promise((resolve, reject) =>
    b.aedes.publish({ cmd: 'publish', topic: TOPIC, payload: Buffer.from(body), qos: 0, retain, dup: false }, (e) =>
      e ? reject(e) : resolve(),
    ),
  );
}

async function client(b: TestBroker, id: string): Promise<WebcommClient> {
  const c = new WebcommClient({
    transport: tcpTransport(b.port),
    clientId: id,
    backoff: { initialDelayMs: 20, maxDelayMs: 100 },
  });
  cleanups.push(() => c.close());
  await c.connect();
  return c;
}

function memoryStore(): ContentVersionStore & { saved: Map<string, number> } {
  const saved = new Map<string, number>();
  return { saved, load: (c) => saved.get(c), save: (c, v) => void saved.set(c, v) };
}

describe('content versions (real aedes, retained latest)', () => {
  it('a client offline across three updates wakes up to exactly one event naming the newest', async () => {
    const b = await broker();
    const store = memoryStore();
    const first = await client(b, 'game-1');
    const watcher = await watchContent(first, { channel: TOPIC, store });
    const changed = nextChange(watcher);
    await publish(b, { version: 1, url: 'https://cdn/v1' });
    expect(await changed).toMatchObject({ from: undefined, to: 1, missed: 0 });
    await first.close();

    for (const version of [2, 3, 4]) await publish(b, { version, url: `https://cdn/v${version}` });

    const second = await client(b, 'game-1');
    // Listen before start(): the retained v4 can arrive together with the SUBACK.
    const later = new ContentWatcher(second, { channel: TOPIC, store });
    const events: ContentChange[] = [];
    later.on('contentChanged', (c) => events.push(c));
    const woke = nextChange(later);
    await later.start();
    expect(await woke).toMatchObject({ from: 1, to: 4, missed: 2, update: { url: 'https://cdn/v4' } });
    // The same v4 again (as a re-subscription redelivers the retained one): a duplicate, dropped.
    await publish(b, { version: 4 }, false);
    const five = nextChange(later);
    await publish(b, { version: 5 }, false);
    expect(await five).toMatchObject({ from: 4, to: 5, missed: 0 });
    expect(events.map((e) => e.to)).toEqual([4, 5]);
    expect(store.saved.get(TOPIC)).toBe(5);
  });

  it('drops stale, duplicate and out-of-order updates; a malformed one is an error and the watcher carries on', async () => {
    const b = await broker();
    const c = await client(b, 'game-2');
    const watcher = await watchContent(c, { channel: TOPIC });
    const seen: number[] = [];
    const errors: WebcommError[] = [];
    watcher.on('contentChanged', (change) => seen.push(change.to));
    watcher.on('error', (error) => errors.push(error));
    const done = new Promise<void>((resolve) => watcher.on('contentChanged', (change) => change.to === 9 && resolve()));
    for (const payload of [
      { version: 5 },
      { version: 5 },
      { version: 3 },
      { nope: true },
      { version: 7, url: 42 },
      { version: 6 },
      { version: 9 },
    ]) {
      await publish(b, payload, false);
    }
    await done;
    expect(seen).toEqual([5, 6, 9]);
    expect(errors.map((e) => e.code)).toEqual([ERROR_CODES.INVALID_PAYLOAD, ERROR_CODES.INVALID_PAYLOAD]);
    expect(watcher.version).toBe(9);
  });

  it('catches up through fetchLatest after a reconnect when the broker kept nothing', async () => {
    const b = await broker();
    const c = await client(b, 'game-3');
    let latest = { version: 1 };
    const watcher = await watchContent(c, { channel: TOPIC, fetchLatest: async () => latest });
    await nextChange(watcher);
    latest = { version: 3 };
    const changed = nextChange(watcher);
    await b.restart(); // in-memory aedes: retained messages are gone
    expect(await changed).toMatchObject({ from: 1, to: 3, missed: 1 });
    await watcher.stop();
  });
});

function nextChange(watcher: {
  once(event: 'contentChanged', listener: (c: ContentChange) => void): unknown;
}): Promise<ContentChange> {
  return new Promise((resolve) => watcher.once('contentChanged', resolve));
}
