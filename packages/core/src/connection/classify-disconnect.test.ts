import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../errors.js';
import { classifyDisconnect, isFromDisconnect } from './classify-disconnect.js';

describe('classifyDisconnect (MQTT 5 server DISCONNECT reason codes)', () => {
  it.each([
    [0x8e, ERROR_CODES.TAKEN_OVER, false],
    [0x98, ERROR_CODES.KICKED, false],
    [0x97, ERROR_CODES.THROTTLED, false],
    [0x9f, ERROR_CODES.THROTTLED, false],
    [0x8b, ERROR_CODES.NETWORK, false],
    [0x8d, ERROR_CODES.DEAD_LINK, false],
    [0x87, ERROR_CODES.NOT_AUTHORIZED, true],
    [0x00, ERROR_CODES.NETWORK, false],
    [0x93, ERROR_CODES.PROTOCOL, false],
  ] as const)('0x%s → %s (fatal %s), naming the code', (reasonCode, code, fatal) => {
    const error = classifyDisconnect({ reasonCode, reasonString: 'why' }, 'mqtt://broker');
    expect([error.code, error.fatal, isFromDisconnect(error)]).toEqual([code, fatal, true]);
    expect(error.message).toContain(`DISCONNECT 0x${reasonCode.toString(16).toUpperCase().padStart(2, '0')}`);
    expect(error.message).toContain('Server says: "why"');
  });
});
