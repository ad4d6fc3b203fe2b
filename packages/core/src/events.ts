import type { WebcommError } from './errors.js';
import type { PublishProperties } from './mqtt/mqtt-engine.js';
import type { ConnectionState } from './connection/state.js';

/** Payload of the `state` event: every state change, with why. */
export interface StateChange {
  readonly from: ConnectionState;
  readonly to: ConnectionState;
  /** Short machine-friendly reason, e.g. `"connect"`, `"connack"`, `"link-lost"`, `"close"`. */
  readonly reason: string;
  /** The error behind the change, when there is one. */
  readonly error?: WebcommError;
}

/** Payload of the `connected` event. */
export interface ConnectedInfo {
  /** The broker kept a session (CONNACK sessionPresent); subscriptions are re-sent anyway. */
  readonly sessionPresent: boolean;
  /** Where the link goes (from the transport, safe to log). */
  readonly endpoint: string;
  /** Which attempt succeeded (1-based). */
  readonly attempt: number;
}

/** Payload of the `disconnected` event (an established link ended). */
export interface DisconnectedInfo {
  readonly reason: string;
  readonly error?: WebcommError;
}

/** Payload of the `reconnecting` event: the next attempt is scheduled. */
export interface ReconnectingInfo {
  /** Number of the attempt that will run after the delay (1-based). */
  readonly attempt: number;
  /** Delay before that attempt, in milliseconds. */
  readonly delayMs: number;
  /** What ended the previous attempt or link. */
  readonly error?: WebcommError;
}

/** A message as received, before decoding (the `message` event). */
export interface ReceivedMessage {
  readonly topic: string;
  readonly payload: Uint8Array;
  readonly qos: 0 | 1 | 2;
  readonly retain: boolean;
  /** MQTT packet id (QoS 1 and 2 only). */
  readonly messageId?: number;
  /**
   * The broker marked this as a resend (MQTT DUP flag). Only some brokers set it (mosquitto
   * does, IoT Core and aedes do not); resends already delivered never reach handlers.
   */
  readonly dup?: boolean;
  /**
   * MQTT 5 PUBLISH properties the broker passed on: the sender's `userProperties`, the
   * `messageExpiryInterval` left (seconds), `contentType`. Absent on MQTT 3.1.1.
   */
  readonly properties?: PublishProperties;
}

/** Payload of the `takenOver` event. */
export interface TakenOverInfo {
  /** Links in a row closed by the server soon after connecting. */
  readonly count: number;
  /** What the client does now: keep retrying with backoff, or stop. */
  readonly action: 'backoff' | 'stop';
}

/** The typed event map of {@link WebcommClient}. */
export interface WebcommClientEvents {
  state: [change: StateChange];
  connected: [info: ConnectedInfo];
  disconnected: [info: DisconnectedInfo];
  reconnecting: [info: ReconnectingInfo];
  /** Another connection with the same client ID keeps taking this one over. */
  takenOver: [info: TakenOverInfo];
  message: [message: ReceivedMessage];
  /** Non-fatal problems too: bad payloads, throwing handlers, refused subscriptions. */
  error: [error: WebcommError];
}
