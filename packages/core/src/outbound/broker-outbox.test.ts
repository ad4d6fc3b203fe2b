import { describe, expect, it } from 'vitest';
import { ERROR_CODES, type WebcommError } from '../errors.js';
import { ManualClock } from '../util/manual-clock.js';
import { silentLogger } from '../util/logger.js';
import { BrokerOutbox } from './broker-outbox.js';

describe('BrokerOutbox offline queue and MQTT 5 message expiry', () => {
  it('a message with expirySeconds is dropped (MESSAGE_EXPIRED) once stale, not sent late; others wait for queue.ttlMs', async () => {
    const clock = new ManualClock();
    const outbox = new BrokerOutbox(
      { maxCount: 10, maxBytes: 1_000_000, ttlMs: 60_000, overflow: 'drop-oldest' },
      clock,
      silentLogger,
    );
    const payload = new TextEncoder().encode('{"version":3}');
    const stale = outbox
      .submit('game/content', payload, 1, true, undefined, { messageExpiryInterval: 2 })
      .catch((error: WebcommError) => error);
    let plainSettled = false;
    const plain = outbox
      .submit('game/content', payload, 1, true)
      .catch((error: WebcommError) => error)
      .finally(() => (plainSettled = true));
    clock.advance(2_001);
    expect(((await stale) as WebcommError).code).toBe(ERROR_CODES.MESSAGE_EXPIRED);
    expect([plainSettled, outbox.queued]).toEqual([false, 1]);
    clock.advance(58_000);
    expect(((await plain) as WebcommError).code).toBe(ERROR_CODES.MESSAGE_EXPIRED);
  });
});
