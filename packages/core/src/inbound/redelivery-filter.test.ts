import { describe, expect, it } from 'vitest';
import { RedeliveryFilter } from './redelivery-filter.js';

const message = (text: string, messageId: number | undefined = 1, qos: 0 | 1 = 1, dup = false) => ({
  topic: 't',
  payload: new TextEncoder().encode(text),
  qos,
  retain: false,
  ...(messageId === undefined ? {} : { messageId }),
  ...(dup ? { dup } : {}),
});

describe('RedeliveryFilter', () => {
  it('drops a QoS 1 message resent on a later link of a kept session, even several links later', () => {
    const filter = new RedeliveryFilter();
    filter.linkStarted(false);
    expect(filter.admit(message('a', 7))).toBe(true);
    filter.linkStarted(true);
    filter.linkStarted(true);
    filter.linkStarted(true);
    expect(filter.admit(message('a', 7))).toBe(false);
    expect(filter.admit(message('a', 7))).toBe(false);
  });

  it('forgets everything when the broker did not keep the session (ids numbered afresh)', () => {
    const filter = new RedeliveryFilter();
    filter.linkStarted(false);
    expect(filter.admit(message('a', 1))).toBe(true);
    filter.linkStarted(false);
    expect(filter.admit(message('a', 1))).toBe(true);
    // A kept session after a lost one: only what came since counts.
    filter.linkStarted(true);
    expect(filter.admit(message('a', 1))).toBe(false);
  });

  it('trusts DUP once the broker has shown it sets it: a message without DUP is new', () => {
    const filter = new RedeliveryFilter();
    filter.linkStarted(false);
    expect(filter.admit(message('a', 1))).toBe(true);
    expect(filter.admit(message('b', 2))).toBe(true);
    filter.linkStarted(true);
    expect(filter.admit(message('a', 1, 1, true))).toBe(false); // a resend, marked
    expect(filter.admit(message('b', 2))).toBe(true); // same key, no DUP: new
    filter.linkStarted(true);
    expect(filter.admit(message('b', 2, 1, true))).toBe(false); // resend of the new one
    expect(filter.admit(message('c', 3, 1, true))).toBe(true); // resend of one never delivered
  });

  it('keeps genuine messages: same payload with another id, the same id reused on the same link, QoS 0', () => {
    const filter = new RedeliveryFilter();
    filter.linkStarted(false);
    expect(filter.admit(message('a', 1))).toBe(true);
    expect(filter.admit(message('a', 1))).toBe(true); // id reused after PUBACK on one link
    filter.linkStarted(true);
    expect(filter.admit(message('a', 2))).toBe(true);
    expect(filter.admit(message('a', 1, 0))).toBe(true);
    expect(filter.admit(message('b', 1))).toBe(true);
  });

  it('remembers a bounded number of deliveries', () => {
    const filter = new RedeliveryFilter(3);
    filter.linkStarted(false);
    for (const [i, text] of ['1', '2', '3', '4'].entries()) filter.admit(message(text, i));
    filter.linkStarted(true);
    expect(filter.admit(message('1', 0))).toBe(true); // evicted: treated as new
    expect(filter.admit(message('4', 3))).toBe(false);
  });

  it('forgets what a PINGRESP confirmed (its PUBACK reached the broker), and only that', () => {
    const filter = new RedeliveryFilter();
    filter.linkStarted(false);
    expect(filter.admit(message('a', 1))).toBe(true);
    filter.pingSent();
    expect(filter.admit(message('b', 2))).toBe(true); // after the ping: not covered
    expect(filter.unconfirmed).toBe(1);
    expect(filter.pingAnswered()).toBe(1);
    filter.linkStarted(true);
    expect(filter.admit(message('a', 1))).toBe(true); // confirmed: cannot be a resend
    expect(filter.admit(message('b', 2))).toBe(false); // not confirmed: a resend
    // A ping the link did not live to see answered confirms nothing.
    filter.pingSent();
    filter.linkStarted(true);
    expect(filter.pingAnswered()).toBe(0);
    expect(filter.admit(message('a', 1))).toBe(false);
  });
});
