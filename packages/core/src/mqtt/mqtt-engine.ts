import type { MqttStream } from '../transport.js';
import type { Clock } from '../util/clock.js';

/**
 * The seam between the client and an MQTT implementation. Core speaks to a broker only through
 * an {@link MqttEngine}: it opens one {@link MqttLink} per connection attempt over the stream a
 * transport yields, and every outcome the broker reports comes back as a value (a reason code),
 * never as a guess from a dropped socket. What a code *means* to the client (refused, throttled,
 * taken over) is decided in core, not here: an engine only speaks the protocol.
 *
 * MQTT.js is the engine of record (`mqttJsEngine`); a lean engine on `Uint8Array` serves
 * browsers. Reason codes follow MQTT 5; on MQTT 3.1.1 the engine reports the nearest: SUBACK
 * 0x80 as 0x80, a PUBACK as 0, a CONNACK return code as it is (1–5).
 */
export interface MqttEngine {
  /** Short name for logs and benchmarks, e.g. `"mqtt.js"`, `"lean"`. */
  readonly name: string;
  /**
   * Writes CONNECT on `stream` and returns the link at once. The link emits `connack` once the
   * broker accepts, or `error` (a refused CONNACK carries its numeric `code`) and `close`.
   * Nothing may be sent before `connack` (IoT Core closes a link that does).
   */
  open(stream: MqttStream, options: EngineConnectOptions): MqttLink;
}

/** What an engine needs to speak CONNECT and keep the link alive. */
export interface EngineConnectOptions {
  readonly protocolVersion: 4 | 5;
  readonly clientId: string;
  /** Keepalive in seconds (0: none). The engine sends PINGREQ when the link is idle this long. */
  readonly keepaliveSeconds: number;
  /** MQTT 3.1.1 clean session; MQTT 5 clean start. */
  readonly clean: boolean;
  /** No CONNACK within this many ms: the engine closes the link with an error. */
  readonly connectTimeoutMs: number;
  readonly username?: string;
  /** Never logged. */
  readonly password?: string | Uint8Array;
  /** Keepalive timers follow this clock, so tests advance time instead of sleeping. */
  readonly clock: Clock;
  /** MQTT 5 CONNECT properties (ignored on 3.1.1). */
  readonly properties?: ConnectProperties;
}

/** MQTT 5 user properties: a name may repeat, so a value may be a list. */
export type UserProperties = Readonly<Record<string, string | readonly string[]>>;

/** MQTT 5 CONNECT properties the client sets. */
export interface ConnectProperties {
  /** Seconds the broker keeps the session after the link closes (0: ends with the link). */
  readonly sessionExpiryInterval?: number;
  /** How many QoS 1 messages the broker may send unacknowledged. */
  readonly receiveMaximum?: number;
  readonly userProperties?: UserProperties;
}

/** The CONNACK of an accepted connection. */
export interface ConnackInfo {
  /** The broker kept a session for this client ID. */
  readonly sessionPresent: boolean;
  /** 0 (3.1.1 return code or MQTT 5 reason code): only accepted connections get here. */
  readonly reasonCode: number;
  /** MQTT 5 CONNACK properties (absent on 3.1.1). */
  readonly properties?: ConnackProperties;
}

/** MQTT 5 CONNACK properties the client may act on. */
export interface ConnackProperties {
  /** The session expiry the broker settled on (IoT Core caps it). */
  readonly sessionExpiryInterval?: number;
  readonly receiveMaximum?: number;
  readonly maximumQoS?: number;
  readonly retainAvailable?: boolean;
  readonly maximumPacketSize?: number;
  readonly assignedClientIdentifier?: string;
  readonly topicAliasMaximum?: number;
  /** Keepalive the broker wants instead of ours. */
  readonly serverKeepAlive?: number;
  readonly reasonString?: string;
  readonly userProperties?: UserProperties;
}

/** MQTT 5 PUBLISH properties carried both ways. */
export interface PublishProperties {
  /** Seconds after which the broker drops the message undelivered; counts down on the way. */
  readonly messageExpiryInterval?: number;
  readonly userProperties?: UserProperties;
  readonly contentType?: string;
  /** True: the payload is UTF-8 text. */
  readonly payloadFormatIndicator?: boolean;
  readonly responseTopic?: string;
  readonly correlationData?: Uint8Array;
}

/** One PUBLISH received. */
export interface EngineMessage {
  readonly topic: string;
  readonly payload: Uint8Array;
  readonly qos: 0 | 1 | 2;
  readonly retain: boolean;
  /** The broker marked it as a resend. */
  readonly dup: boolean;
  /** Packet id (QoS 1 and 2). */
  readonly messageId?: number;
  /** MQTT 5 properties (absent on 3.1.1 or when the broker sent none). */
  readonly properties?: PublishProperties;
}

/** A DISCONNECT the broker sent (MQTT 5 only: a 3.1.1 broker just closes). */
export interface DisconnectInfo {
  /** e.g. 0x8E session taken over, 0x98 administrative action, 0x97 quota exceeded. */
  readonly reasonCode: number;
  readonly reasonString?: string;
  readonly userProperties?: UserProperties;
  readonly serverReference?: string;
}

/** One filter of a SUBSCRIBE. */
export interface SubscribeRequest {
  readonly filter: string;
  readonly qos: 0 | 1;
}

/** The broker's answer for one filter of a SUBSCRIBE. */
export interface SubackEntry {
  readonly filter: string;
  /** 0–2: granted at that QoS; 0x80 and above: refused for this reason (MQTT 5; 3.1.1 sends 0x80). */
  readonly reasonCode: number;
}

/** How the broker answered a PUBLISH. */
export interface PublishResult {
  /** 0 for QoS 0 (settled once written) and accepted QoS 1; 0x80 and above: refused (MQTT 5 PUBACK). */
  readonly reasonCode: number;
  readonly reasonString?: string;
}

/** Events of an {@link MqttLink}, as listener argument lists. */
export interface MqttLinkEvents {
  /** The broker accepted CONNECT. Emitted once. */
  connack: [info: ConnackInfo];
  /**
   * A PUBLISH arrived. A QoS 1 message is not acknowledged until the consumer calls
   * {@link MqttLink.acknowledge}: one nobody took is never acknowledged, so the broker resends it.
   */
  message: [message: EngineMessage];
  /** The PINGRESP to a `ping()` arrived (an engine may emit it for its keepalive pings too). */
  pingresp: [];
  /** Bytes arrived (any packet): proof the link is alive. At most once per read. */
  received: [];
  /** The broker sent DISCONNECT (MQTT 5); `close` follows. */
  disconnect: [info: DisconnectInfo];
  /** Something failed: a refused CONNACK (numeric `code`), a protocol error, the stream. */
  error: [error: unknown];
  /** The link is closed, by either side. Emitted once; pending operations have settled. */
  close: [];
}

/** One MQTT connection over one stream. Single use: after `close`, open a new one. */
export interface MqttLink {
  /** CONNACK accepted and not closed since. */
  readonly connected: boolean;
  /** Sends one SUBSCRIBE; resolves with the broker's answer for each filter, in order. */
  subscribe(filters: readonly SubscribeRequest[]): Promise<SubackEntry[]>;
  /** Sends one UNSUBSCRIBE; resolves with the UNSUBACK reason codes (empty on 3.1.1). */
  unsubscribe(filters: readonly string[]): Promise<number[]>;
  /**
   * Sends PUBLISH. QoS 0 resolves once written; QoS 1 on PUBACK, with its reason code. Rejects
   * when the link closes first or the engine cannot send it.
   */
  publish(
    topic: string,
    payload: Uint8Array,
    options: { readonly qos: 0 | 1; readonly retain: boolean; readonly properties?: PublishProperties },
  ): Promise<PublishResult>;
  /**
   * Writes the PUBACK of a received QoS 1 message: call it once the message has been delivered
   * (or knowingly dropped as a resend). An engine never acknowledges on its own, so a message
   * that arrives while nobody takes it (a link being replaced, held messages of a link closed
   * before release) is resent by the broker on a later link. An engine may hold further
   * packets of the link until the acknowledgement (MQTT.js does). A no-op once closed.
   */
  acknowledge(messageId: number): void;
  /** Sends PINGREQ now (its PINGRESP is the `pingresp` event). */
  ping(): void;
  /**
   * Sends DISCONNECT (with `reasonCode` on MQTT 5) and closes. Unacknowledged publishes are
   * dropped first (their promises reject), so the close does not wait for them.
   */
  end(options?: { readonly reasonCode?: number }): Promise<void>;
  /** Closes at once, without DISCONNECT. */
  destroy(): void;
  on<E extends keyof MqttLinkEvents>(event: E, listener: (...args: MqttLinkEvents[E]) => void): unknown;
  off<E extends keyof MqttLinkEvents>(event: E, listener: (...args: MqttLinkEvents[E]) => void): unknown;
}
