/**
 * The MQTT control packets the lean engine speaks, as plain objects. Field names follow
 * `mqtt-packet` (MQTT.js's codec), the reference the codec is property-tested against, so a
 * packet here means the same as one there. Only what a client needs: no will message, no QoS 2
 * flow (PUBREC/PUBREL/PUBCOMP), no AUTH (IoT Core has neither QoS 2 nor AUTH).
 */

/** MQTT 5 properties by name (see `properties.ts` for the table). */
export interface Properties {
  sessionExpiryInterval?: number;
  willDelayInterval?: number;
  receiveMaximum?: number;
  maximumPacketSize?: number;
  topicAliasMaximum?: number;
  requestResponseInformation?: boolean;
  requestProblemInformation?: boolean;
  userProperties?: Record<string, string | string[]>;
  authenticationMethod?: string;
  authenticationData?: Uint8Array;
  payloadFormatIndicator?: boolean;
  messageExpiryInterval?: number;
  contentType?: string;
  responseTopic?: string;
  correlationData?: Uint8Array;
  maximumQoS?: number;
  retainAvailable?: boolean;
  assignedClientIdentifier?: string;
  reasonString?: string;
  wildcardSubscriptionAvailable?: boolean;
  subscriptionIdentifiersAvailable?: boolean;
  sharedSubscriptionAvailable?: boolean;
  serverKeepAlive?: number;
  responseInformation?: string;
  serverReference?: string;
  topicAlias?: number;
  subscriptionIdentifier?: number | number[];
}

export interface ConnectPacket {
  cmd: 'connect';
  protocolId: 'MQTT';
  protocolVersion: 4 | 5;
  clean: boolean;
  keepalive: number;
  clientId: string;
  username?: string;
  password?: Uint8Array;
  properties?: Properties;
}

export interface ConnackPacket {
  cmd: 'connack';
  sessionPresent: boolean;
  /** MQTT 3.1.1 return code. */
  returnCode?: number;
  /** MQTT 5 reason code. */
  reasonCode?: number;
  properties?: Properties;
}

export interface PublishPacket {
  cmd: 'publish';
  topic: string;
  payload: Uint8Array;
  qos: 0 | 1 | 2;
  dup: boolean;
  retain: boolean;
  messageId?: number;
  properties?: Properties;
}

export interface PubackPacket {
  cmd: 'puback';
  messageId: number;
  reasonCode?: number;
  properties?: Properties;
}

export interface Subscription {
  topic: string;
  qos: 0 | 1 | 2;
  /** MQTT 5 no local. */
  nl?: boolean;
  /** MQTT 5 retain as published. */
  rap?: boolean;
  /** MQTT 5 retain handling (0–2). */
  rh?: number;
}

export interface SubscribePacket {
  cmd: 'subscribe';
  messageId: number;
  subscriptions: Subscription[];
  properties?: Properties;
}

export interface SubackPacket {
  cmd: 'suback';
  messageId: number;
  granted: number[];
  properties?: Properties;
}

export interface UnsubscribePacket {
  cmd: 'unsubscribe';
  messageId: number;
  unsubscriptions: string[];
  properties?: Properties;
}

export interface UnsubackPacket {
  cmd: 'unsuback';
  messageId: number;
  /** MQTT 5 reason codes, one per filter. */
  granted?: number[];
  properties?: Properties;
}

export interface PingreqPacket {
  cmd: 'pingreq';
}

export interface PingrespPacket {
  cmd: 'pingresp';
}

export interface DisconnectPacket {
  cmd: 'disconnect';
  reasonCode?: number;
  properties?: Properties;
}

/** Every packet the codec encodes and decodes. */
export type Packet =
  | ConnectPacket
  | ConnackPacket
  | PublishPacket
  | PubackPacket
  | SubscribePacket
  | SubackPacket
  | UnsubscribePacket
  | UnsubackPacket
  | PingreqPacket
  | PingrespPacket
  | DisconnectPacket;

/** Control packet type numbers (the fixed header's high nibble). */
export const PACKET_TYPES = {
  connect: 1,
  connack: 2,
  publish: 3,
  puback: 4,
  subscribe: 8,
  suback: 9,
  unsubscribe: 10,
  unsuback: 11,
  pingreq: 12,
  pingresp: 13,
  disconnect: 14,
} as const;
