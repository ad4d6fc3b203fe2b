import { describe, expect, it } from 'vitest';
import { RedeliveryFilter } from './redelivery-filter.js';

const message = (text: string, qos: 0 | 1 = 1) => ({ topic: 't', payload: new TextEncoder().encode(text), qos, retain: false });

describe('RedeliveryFilter', () => {
  it('drops, once each, QoS 1 messages of the previous link that come again on the next', () => {
    const filter = new RedeliveryFilter();
    expect(filter.admit(message('a'))).toBe(true);
    expect(filter.admit(message('a'))).toBe(true); // two genuine identical messages on one link
    expect(filter.admit(message('b'))).toBe(true);
    filter.linkEnded();
    expect(filter.admit(message('a'))).toBe(false);
    expect(filter.admit(message('a'))).toBe(false);
    expect(filter.admit(message('a'))).toBe(true); // a third one is new
    expect(filter.admit(message('c'))).toBe(true);
  });

  it('lets QoS 0 through, and forgets suspects once the new link is settled', () => {
    const filter = new RedeliveryFilter();
    filter.admit(message('a'));
    filter.linkEnded();
    expect(filter.admit(message('a', 0))).toBe(true);
    filter.settle();
    expect(filter.admit(message('a'))).toBe(true);
  });

  it('a message still arriving on a replaced link is delivered and then expected again', () => {
    const filter = new RedeliveryFilter();
    filter.linkEnded();
    expect(filter.admit(message('late'), false)).toBe(true);
    expect(filter.admit(message('late'))).toBe(false);
  });

  it('remembers a bounded number of deliveries', () => {
    const filter = new RedeliveryFilter(3);
    for (const text of ['1', '2', '3', '4']) filter.admit(message(text));
    filter.linkEnded();
    expect(filter.admit(message('1'))).toBe(true); // evicted: treated as new
    expect(filter.admit(message('4'))).toBe(false);
  });
});
