import type { WebcommError } from '../errors.js';
import type { StateChange } from '../events.js';

/** The one connection state of a client. */
export type ConnectionState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'closed' | 'failed';

/** What happened to the connection; input of {@link nextState}. */
export type ConnectionEvent =
  /** `connect()` was called. */
  | 'connect'
  /** CONNACK accepted. */
  | 'connected'
  /** An attempt failed with a transient error; another will follow. */
  | 'attempt-failed'
  /** An established link was lost (closed, errored, or declared dead). */
  | 'link-lost'
  /** A fatal outcome (bad credentials, not authorized, banned): no more attempts. */
  | 'fatal'
  /** `connect()` was aborted or timed out before the first CONNACK. */
  | 'cancel'
  /** `close()` was called. */
  | 'close';

const TABLE: Readonly<Record<ConnectionState, Partial<Record<ConnectionEvent, ConnectionState>>>> = {
  idle: { connect: 'connecting', close: 'closed' },
  connecting: {
    connected: 'connected',
    'attempt-failed': 'reconnecting',
    fatal: 'failed',
    cancel: 'idle',
    close: 'closed',
  },
  connected: { 'link-lost': 'reconnecting', fatal: 'failed', close: 'closed' },
  reconnecting: {
    connected: 'connected',
    'attempt-failed': 'reconnecting',
    fatal: 'failed',
    cancel: 'idle',
    close: 'closed',
  },
  // A failed client may be started again (e.g. after fixing credentials).
  failed: { connect: 'connecting', close: 'closed' },
  // Closed is terminal: nothing reconnects a closed client.
  closed: {},
};

/**
 * The state after `event` in `state`, or `undefined` when the event is not allowed there.
 * Pure: the client changes its state only through this table.
 */
export function nextState(state: ConnectionState, event: ConnectionEvent): ConnectionState | undefined {
  return TABLE[state][event];
}

/**
 * The one state field and its one door: {@link StateDoor.move} applies the table of
 * {@link nextState} and reports each real change to `report` (the client's log and `state` event).
 */
export class StateDoor {
  readonly #report: (change: StateChange) => void;
  #state: ConnectionState = 'idle';

  constructor(report: (change: StateChange) => void) {
    this.#report = report;
  }

  /** The current state. */
  get current(): ConnectionState {
    return this.#state;
  }

  /** Applies `event`; a transition the table does not allow, or to the same state, changes nothing. */
  move(event: ConnectionEvent, reason: string, error?: WebcommError): void {
    const from = this.#state;
    const to = nextState(from, event);
    if (to === undefined || to === from) return;
    this.#state = to;
    this.#report({ from, to, reason, ...(error === undefined ? {} : { error }) });
  }
}
