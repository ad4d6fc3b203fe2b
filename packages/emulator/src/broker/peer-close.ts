/**
 * Whether the peer ended a connection on purpose below MQTT: a WebSocket Close frame. IoT Core
 * reports such a close as `CLIENT_INITIATED_DISCONNECT`, like an MQTT DISCONNECT; a stream that
 * just drops is `CONNECTION_LOST`.
 */

/** A stream that can tell a close its peer asked for (see `WebSocketDuplex`). */
export interface PeerClosable {
  /** True once the peer closed the stream with a close handshake (not a drop, not our own close). */
  readonly closedByPeer: boolean;
}

/** Whether `stream` was closed by its peer on purpose (false for plain TCP/TLS streams). */
export function closedByPeer(stream: object): boolean {
  return (stream as Partial<PeerClosable>).closedByPeer === true;
}
