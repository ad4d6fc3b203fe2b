import { describe, expect, it } from 'vitest';
import { MESSAGE_ID_PROPERTY } from './message-id.js';
import { RedeliveryFilter } from './redelivery-filter.js';

const message = (text: string, messageId: number | undefined = 1, qos: 0 | 1 = 1, dup = false, stamp?: string) => ({
  topic: 't',
  payload: new TextEncoder().encode(text),
  qos,
  retain: false,
  ...(messageId === undefined ? {} : { messageId }),
  ...(dup ? { dup } : {}),
  ...(stamp === undefined ? {} : { properties: { userProperties: { [MESSAGE_ID_PROPERTY]: stamp } } }),
});
const resend = (text: string, messageId: number) => message(text, messageId, 1, true);

describe('RedeliveryFilter', () => {
  it('drops a DUP resend on a later link of a kept session, even several links later', () => {
    const filter = new RedeliveryFilter();
    filter.linkStarted(false);
    expect(filter.admit(message('a', 7))).toBe(true);
    filter.linkStarted(true);
    filter.linkStarted(true);
    filter.linkStarted(true);
    expect(filter.admit(resend('a', 7))).toBe(false);
    expect(filter.admit(resend('a', 7))).toBe(false);
  });

  it('never drops a message without DUP: ids numbered afresh on each link of a kept session', () => {
    const filter = new RedeliveryFilter();
    filter.linkStarted(false);
    expect(filter.admit(message('same', 1))).toBe(true);
    filter.linkStarted(true);
    expect(filter.admit(message('same', 1))).toBe(true);
    filter.linkStarted(true);
    expect(filter.admit(message('same', 1))).toBe(true);
    expect(filter.admit(message('same', 1))).toBe(true);
  });

  it('forgets everything when the broker did not keep the session', () => {
    const filter = new RedeliveryFilter();
    filter.linkStarted(false);
    expect(filter.admit(message('a', 1))).toBe(true);
    filter.linkStarted(false);
    expect(filter.admit(resend('a', 1))).toBe(true); // a new session has nothing to resend
    filter.linkStarted(true);
    expect(filter.admit(resend('a', 1))).toBe(false);
  });

  it('delivers a DUP message it never delivered', () => {
    const filter = new RedeliveryFilter();
    filter.linkStarted(false);
    expect(filter.admit(message('a', 1))).toBe(true);
    filter.linkStarted(true);
    expect(filter.admit(resend('b', 1))).toBe(true); // same id, other payload
    expect(filter.admit(resend('a', 2))).toBe(true); // same payload, other id
    expect(filter.admit(message('a', 1, 0, true))).toBe(true); // QoS 0
  });

  it('delivers a stamped message once per stamp, whatever its packet id or DUP', () => {
    const filter = new RedeliveryFilter();
    filter.linkStarted(false);
    expect(filter.admit(message('a', 1, 1, false, 'id-1'))).toBe(true);
    filter.linkStarted(true);
    expect(filter.admit(message('a', 9, 1, true, 'id-1'))).toBe(false); // DUP, new packet id
    expect(filter.admit(message('a', 9, 1, false, 'id-1'))).toBe(false); // a publisher's retry
    filter.linkStarted(false);
    expect(filter.admit(message('a', 1, 1, false, 'id-1'))).toBe(false); // across sessions too
    expect(filter.admit(message('a', 1, 1, false, 'id-2'))).toBe(true);
    // A retained copy comes again with every subscribe: not deduplicated.
    expect(filter.admit({ ...message('a', 3, 1, false, 'id-2'), retain: true })).toBe(true);
  });

  it('remembers a bounded number of deliveries and stamps', () => {
    const filter = new RedeliveryFilter(3);
    filter.linkStarted(false);
    for (const [i, text] of ['1', '2', '3', '4'].entries()) filter.admit(message(text, i));
    for (const stamp of ['s1', 's2', 's3', 's4']) filter.admit(message('x', 50, 1, false, stamp));
    filter.linkStarted(true);
    expect(filter.admit(resend('1', 0))).toBe(true); // evicted: treated as new
    expect(filter.admit(resend('4', 3))).toBe(false);
    expect(filter.admit(message('x', 51, 1, true, 's1'))).toBe(true);
    expect(filter.admit(message('x', 51, 1, true, 's4'))).toBe(false);
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
    expect(filter.admit(resend('a', 1))).toBe(true); // confirmed: cannot be a resend of it
    expect(filter.admit(resend('b', 2))).toBe(false); // not confirmed: a resend
    // A ping the link did not live to see answered confirms nothing.
    filter.pingSent();
    filter.linkStarted(true);
    expect(filter.pingAnswered()).toBe(0);
    expect(filter.admit(resend('a', 1))).toBe(false);
  });
});
