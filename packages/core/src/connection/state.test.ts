import { describe, expect, it } from 'vitest';
import type { StateChange } from '../events.js';
import { ERROR_CODES, WebcommError } from '../errors.js';
import { nextState, StateDoor, type ConnectionEvent, type ConnectionState } from './state.js';

const STATES: ConnectionState[] = ['idle', 'connecting', 'connected', 'reconnecting', 'closed', 'failed'];
const EVENTS: ConnectionEvent[] = ['connect', 'connected', 'attempt-failed', 'link-lost', 'fatal', 'cancel', 'close'];

describe('nextState', () => {
  it('walks the normal life of a connection', () => {
    let s: ConnectionState = 'idle';
    for (const [event, expected] of [
      ['connect', 'connecting'],
      ['connected', 'connected'],
      ['link-lost', 'reconnecting'],
      ['attempt-failed', 'reconnecting'],
      ['connected', 'connected'],
      ['close', 'closed'],
    ] as const) {
      const next = nextState(s, event);
      expect(next).toBe(expected);
      s = next ?? s;
    }
  });

  it('ends in failed on a fatal outcome from any live state, and can be restarted', () => {
    for (const s of ['connecting', 'connected', 'reconnecting'] as const) expect(nextState(s, 'fatal')).toBe('failed');
    expect(nextState('failed', 'connect')).toBe('connecting');
    expect(nextState('failed', 'attempt-failed')).toBeUndefined();
  });

  it('never leaves closed', () => {
    for (const e of EVENTS) expect(nextState('closed', e)).toBeUndefined();
  });

  it('can close from every other state', () => {
    for (const s of STATES.filter((x) => x !== 'closed')) expect(nextState(s, 'close')).toBe('closed');
  });

  it('rejects events that make no sense in a state', () => {
    expect(nextState('idle', 'connected')).toBeUndefined();
    expect(nextState('idle', 'link-lost')).toBeUndefined();
    expect(nextState('connected', 'connect')).toBeUndefined();
    expect(nextState('connecting', 'link-lost')).toBeUndefined();
    expect(nextState('connected', 'cancel')).toBeUndefined();
  });
});

describe('StateDoor', () => {
  it('reports each real change once, with its reason and error, and ignores what the table does not allow', () => {
    const changes: StateChange[] = [];
    const door = new StateDoor((change) => changes.push(change));
    const lost = new WebcommError(ERROR_CODES.NETWORK, 'closed');
    door.move('connect', 'connect');
    door.move('connect', 'again');
    door.move('connected', 'connack');
    door.move('link-lost', 'link-lost', lost);
    door.move('close', 'close');
    door.move('connect', 'after close');
    expect(door.current).toBe('closed');
    expect(changes).toEqual([
      { from: 'idle', to: 'connecting', reason: 'connect' },
      { from: 'connecting', to: 'connected', reason: 'connack' },
      { from: 'connected', to: 'reconnecting', reason: 'link-lost', error: lost },
      { from: 'reconnecting', to: 'closed', reason: 'close' },
    ]);
  });
});
