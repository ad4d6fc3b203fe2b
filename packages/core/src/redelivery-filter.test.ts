import { describe, expect, it } from 'vitest';
import { RedeliveryFilter } from './redelivery-filter.js';

const message = (text: string, messageId: number | undefined = 1, qos: 0 | 1 = 1) => ({
  topic: 't',
  payload: new TextEncoder().encode(text),
  qos,
  retain: false,
  ...(messageId === undefined ? {} : { messageId }),
});

describe('RedeliveryFilter', () => {
  it('drops a QoS 1 message resent on a later link, even several links later', () => {
    const filter = new RedeliveryFilter();
    expect(filter.admit(message('a', 7))).toBe(true);
    filter.linkEnded();
    filter.linkEnded();
    filter.linkEnded();
    expect(filter.admit(message('a', 7))).toBe(false);
    expect(filter.admit(message('a', 7))).toBe(false);
  });

  it('keeps genuine messages: same payload with another id, the same id reused on the same link, QoS 0', () => {
    const filter = new RedeliveryFilter();
    expect(filter.admit(message('a', 1))).toBe(true);
    expect(filter.admit(message('a', 1))).toBe(true); // id reused after PUBACK on one link
    filter.linkEnded();
    expect(filter.admit(message('a', 2))).toBe(true);
    expect(filter.admit(message('a', 1, 0))).toBe(true);
    expect(filter.admit(message('b', 1))).toBe(true);
  });

  it('remembers a bounded number of deliveries', () => {
    const filter = new RedeliveryFilter(3);
    for (const [i, text] of ['1', '2', '3', '4'].entries()) filter.admit(message(text, i));
    filter.linkEnded();
    expect(filter.admit(message('1', 0))).toBe(true); // evicted: treated as new
    expect(filter.admit(message('4', 3))).toBe(false);
  });
});
