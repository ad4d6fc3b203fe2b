import { describe, expect, it } from 'vitest';
import { LinkEmitter } from './link-emitter.js';

interface Events {
  message: [text: string];
  close: [];
}

describe('LinkEmitter (the event emitter of an MQTT link)', () => {
  it('calls listeners in order with the emitter as this, and says whether any listened', () => {
    const emitter = new LinkEmitter<Events>();
    const seen: unknown[] = [];
    expect(emitter.emit('message', 'nobody')).toBe(false);
    emitter.on('message', function (this: unknown, text) {
      seen.push(['first', text, this === emitter]);
    });
    emitter.on('message', (text) => seen.push(['second', text]));
    expect(emitter.emit('message', 'a')).toBe(true);
    expect(seen).toEqual([
      ['first', 'a', true],
      ['second', 'a'],
    ]);
  });

  it('passes no argument to an event that has none', () => {
    const emitter = new LinkEmitter<Events>();
    let count = -1;
    emitter.on('close', (...args: unknown[]) => (count = args.length));
    emitter.emit('close');
    expect(count).toBe(0);
  });

  it('runs the listeners there when an emit started, also when one takes another off', () => {
    const emitter = new LinkEmitter<Events>();
    const seen: string[] = [];
    const second = (): void => void seen.push('second');
    emitter.on('close', () => {
      seen.push('first');
      emitter.off('close', second);
    });
    emitter.on('close', second);
    emitter.emit('close');
    emitter.emit('close');
    expect(seen).toEqual(['first', 'second', 'first']);
  });

  it('off removes every registration of a listener, once runs once and is removed by its listener', () => {
    const emitter = new LinkEmitter<Events>();
    let calls = 0;
    const listener = (): void => void calls++;
    emitter.on('close', listener).on('close', listener);
    emitter.off('close', listener);
    expect(emitter.emit('close')).toBe(false);
    emitter.once('close', listener);
    emitter.emit('close');
    emitter.emit('close');
    expect(calls).toBe(1);
    emitter.once('close', listener);
    emitter.off('close', listener);
    expect(emitter.emit('close')).toBe(false);
  });

  it('an error without a listener does not throw (as eventemitter3)', () => {
    const emitter = new LinkEmitter<{ error: [error: Error] }>();
    expect(emitter.emit('error', new Error('x'))).toBe(false);
  });
});
