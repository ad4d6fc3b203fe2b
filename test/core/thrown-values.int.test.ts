/**
 * Handlers and decoders are user code and may throw anything. Every thrown or rejected value,
 * also `null`, a string or an object without a prototype (whose `String()` throws), becomes a
 * HANDLER_FAILED or DECODE_FAILED `error` event; nothing escapes to crash the process, and the
 * next message is still delivered.
 */
import { ERROR_CODES, WebcommClient, type WebcommError } from '@webcomm/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startBroker, type TestBroker } from '../helpers/broker.js';
import { nextEvent } from '../helpers/events.js';
import { tcpTransport } from '../helpers/tcp-transport.js';

let broker: TestBroker;
let client: WebcommClient;
const escaped: unknown[] = [];
const onEscape = (reason: unknown): void => void escaped.push(reason);

beforeEach(async () => {
  broker = await startBroker();
  client = new WebcommClient({ transport: tcpTransport(broker.port), clientId: `thrown-${Date.now()}` });
  process.on('uncaughtException', onEscape);
  process.on('unhandledRejection', onEscape);
});
afterEach(async () => {
  process.off('uncaughtException', onEscape);
  process.off('unhandledRejection', onEscape);
  await client.close();
  await broker.stop();
});

function push(topic: string, payload: string): Promise<void> {
  return new Promise((resolve, reject) =>
    broker.aedes.publish(
      { cmd: 'publish', topic, payload: Buffer.from(payload), qos: 0, retain: false, dup: false },
      (e) => (e ? reject(e) : resolve()),
    ),
  );
}

const bare = (): unknown => Object.create(null) as unknown;
const values: [label: string, make: () => unknown][] = [
  ['null', () => null],
  ['undefined', () => undefined],
  ['a string', () => 'plain text'],
  ['a number', () => 42],
  ['an object without prototype', bare],
  [
    'an object whose message getter throws',
    () => ({
      get message(): string {
        throw new Error('trap');
      },
    }),
  ],
];

describe('thrown non-Error values (real aedes)', () => {
  it.each(values)('a handler throwing %s, or rejecting with it, becomes HANDLER_FAILED', async (_label, make) => {
    const errors: WebcommError[] = [];
    client.on('error', (e) => errors.push(e));
    await client.connect();
    await client.subscribe(
      't/sync',
      () => {
        throw make();
      },
      { decode: 'raw' },
    );
    await client.subscribe('t/async', () => Promise.reject(make()), { decode: 'raw' });
    const survivors: string[] = [];
    await client.subscribe('t/after', (m: string) => void survivors.push(m), {
      decode: (bytes) => Buffer.from(bytes).toString(),
    });
    const twoErrors = new Promise<void>((resolve) => client.on('error', () => errors.length === 2 && resolve()));
    await push('t/sync', 'x');
    await push('t/async', 'x');
    await twoErrors;
    const after = nextEvent(client, 'message', (m) => m.topic === 't/after');
    await push('t/after', 'still here');
    await after;
    expect(errors.map((e) => [e.code, e.topic])).toEqual([
      [ERROR_CODES.HANDLER_FAILED, 't/sync'],
      [ERROR_CODES.HANDLER_FAILED, 't/async'],
    ]);
    expect(errors.every((e) => e.message.startsWith('A handler for "t/'))).toBe(true);
    expect(survivors).toEqual(['still here']);
    expect(escaped).toEqual([]);
    expect(client.state).toBe('connected');
  });

  it.each(values)('a decoder throwing %s becomes DECODE_FAILED', async (_label, make) => {
    const errors: WebcommError[] = [];
    client.on('error', (e) => errors.push(e));
    await client.connect();
    const got: unknown[] = [];
    await client.subscribe('t/decode', (m) => void got.push(m), {
      decode: () => {
        throw make();
      },
    });
    const failed = nextEvent(client, 'error');
    await push('t/decode', 'x');
    await failed;
    expect(errors.map((e) => [e.code, e.topic])).toEqual([[ERROR_CODES.DECODE_FAILED, 't/decode']]);
    expect(got).toEqual([]);
    expect(escaped).toEqual([]);
    expect(client.state).toBe('connected');
  });
});
