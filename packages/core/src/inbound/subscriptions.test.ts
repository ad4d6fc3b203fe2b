import { describe, expect, it } from 'vitest';
import { ERROR_CODES, type WebcommError } from '../errors.js';
import type { ReceivedMessage } from '../events.js';
import { SubscriptionRegistry, type MessageMeta } from './subscriptions.js';

const message = (topic: string, text: string): ReceivedMessage => ({
  topic,
  payload: new TextEncoder().encode(text),
  qos: 0,
  retain: false,
});

describe('SubscriptionRegistry.dispatch', () => {
  it('decodes once per decoder, delivers to every matching handler with its own meta', () => {
    const registry = new SubscriptionRegistry(true);
    let decodes = 0;
    const upper = (payload: Uint8Array): string => {
      decodes++;
      return new TextDecoder().decode(payload).toUpperCase();
    };
    const seen: [string, unknown, MessageMeta][] = [];
    registry.add(
      SubscriptionRegistry.record('game/news', 'news', 0, upper, (v, meta) => void seen.push(['exact', v, meta])),
    );
    registry.add(
      SubscriptionRegistry.record('game/+', undefined, 0, upper, (v, meta) => void seen.push(['plus', v, meta])),
    );
    registry.add(
      SubscriptionRegistry.record('game/#', undefined, 0, 'json', (v, meta) => void seen.push(['json', v, meta])),
    );
    const errors: WebcommError[] = [];
    expect(registry.dispatch(message('game/news', '"hi"'), (e) => errors.push(e))).toBe(3);
    expect(decodes).toBe(1);
    expect(errors).toEqual([]);
    expect(seen.map(([who, v]) => [who, v]).sort()).toEqual([
      ['exact', '"HI"'],
      ['json', 'hi'],
      ['plus', '"HI"'],
    ]);
    const exact = seen.find(([who]) => who === 'exact')?.[2];
    expect(exact).toEqual({
      topic: 'game/news',
      payload: new TextEncoder().encode('"hi"'),
      qos: 0,
      retain: false,
      filter: 'game/news',
      channel: 'news',
    });
    expect(seen.find(([who]) => who === 'plus')?.[2].filter).toBe('game/+');
  });

  it('reports a decode failure once and a throwing or rejecting handler without stopping the others', async () => {
    const registry = new SubscriptionRegistry(true);
    const got: string[] = [];
    registry.add(SubscriptionRegistry.record('t', undefined, 0, 'json', () => void got.push('json')));
    registry.add(SubscriptionRegistry.record('+', undefined, 0, 'json', () => void got.push('json2')));
    registry.add(
      SubscriptionRegistry.record('t', undefined, 0, 'raw', () => {
        throw new Error('boom');
      }),
    );
    registry.add(SubscriptionRegistry.record('#', undefined, 0, 'raw', () => Promise.reject(new Error('later'))));
    registry.add(SubscriptionRegistry.record('t', undefined, 0, 'raw', () => void got.push('raw')));
    const errors: WebcommError[] = [];
    expect(registry.dispatch(message('t', 'not json'), (e) => errors.push(e))).toBe(5);
    await Promise.resolve();
    await Promise.resolve();
    expect(got).toEqual(['raw']);
    expect(errors.map((e) => e.code).sort()).toEqual(
      [ERROR_CODES.DECODE_FAILED, ERROR_CODES.HANDLER_FAILED, ERROR_CODES.HANDLER_FAILED].sort(),
    );
    expect(errors.every((e) => e.topic === 't')).toBe(true);
  });
});
