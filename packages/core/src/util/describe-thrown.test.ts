import { describe, expect, it } from 'vitest';
import { describeThrown } from './describe-thrown.js';

describe('describeThrown', () => {
  it('describes every kind of thrown value without throwing', () => {
    const hostile = Object.create(null) as Record<string, unknown>;
    const trap = {
      get message(): string {
        throw new Error('trap');
      },
    };
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(describeThrown(new Error('boom'))).toBe('boom');
    expect(describeThrown(new TypeError(''))).toBe('TypeError');
    expect(describeThrown(null)).toBe('null');
    expect(describeThrown(undefined)).toBe('undefined');
    expect(describeThrown('text')).toBe('text');
    expect(describeThrown(42)).toBe('42');
    expect(describeThrown(Symbol('s'))).toBe('Symbol(s)');
    expect(describeThrown(hostile)).toBe('{}');
    expect(describeThrown({ message: 'plain' })).toBe('plain');
    expect(describeThrown(trap)).toBe('[object Object]');
    expect(describeThrown(cyclic)).toBe('[object Object]');
  });
});
