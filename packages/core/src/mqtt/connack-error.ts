/**
 * An error carrying a CONNACK return or reason code, as MQTT.js reports a refused CONNECT, so
 * the connection layer classifies a refusal the same way whichever engine saw it.
 */
export class ConnackError extends Error {
  readonly code: number;
  constructor(code: number) {
    super(`Connection refused: CONNACK code ${code}`);
    this.name = 'ConnackError';
    this.code = code;
  }
}
