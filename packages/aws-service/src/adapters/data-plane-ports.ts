/**
 * The broker ports over the IoT data plane: the service publishes with `Publish` and drops
 * connections with `DeleteConnection` (reason `API_INITIATED_DISCONNECT`; on MQTT 5 the client
 * gets DISCONNECT 0x98). IoT Core cannot list connected clients, so the admin API's client list
 * is empty on AWS (fleet indexing could answer it; not wired).
 */
import { DeleteConnectionCommand, PublishCommand, type IoTDataPlaneClient } from '@aws-sdk/client-iot-data-plane';
import { MESSAGE_ID_PROPERTY } from '@webcomm/core';
import type { BrokerAdminPort, PublishPort, ServicePublishOptions } from '@webcomm/service';
import { dataPlaneError } from '../data-plane-error.js';

/**
 * `PublishPort` over `Publish`. The message id goes out as an MQTT 5 user property: the data
 * plane takes them as a JSON array of one-key objects (the SDK base64-encodes it into the
 * `x-amz-mqtt5-user-properties` header); IoT Core passes them to MQTT 5 subscribers only.
 */
export class DataPlanePublisher implements PublishPort {
  readonly #client: IoTDataPlaneClient;

  constructor(client: IoTDataPlaneClient) {
    this.#client = client;
  }

  async publish(topic: string, payload: Uint8Array, options: ServicePublishOptions): Promise<void> {
    try {
      await this.#client.send(
        new PublishCommand({
          topic,
          payload,
          qos: options.qos,
          ...(options.retain === true ? { retain: true } : {}),
          userProperties: JSON.stringify([{ [MESSAGE_ID_PROPERTY]: options.messageId }]),
        }),
      );
    } catch (error) {
      throw dataPlaneError(error, `Publish on ${topic}`);
    }
  }
}

/** `BrokerAdminPort` over `DeleteConnection`. */
export class DataPlaneBrokerAdmin implements BrokerAdminPort {
  readonly #client: IoTDataPlaneClient;

  constructor(client: IoTDataPlaneClient) {
    this.#client = client;
  }

  async disconnectClient(clientId: string): Promise<boolean> {
    try {
      await this.#client.send(new DeleteConnectionCommand({ clientId }));
      return true;
    } catch (error) {
      if ((error as { name?: unknown })?.name === 'ResourceNotFoundException') return false;
      throw dataPlaneError(error, `DeleteConnection of ${clientId}`);
    }
  }

  /** A principal's connection is its client id's: players connect as their identity id, devices as their thing name. */
  async disconnectPrincipal(principalId: string): Promise<number> {
    return (await this.disconnectClient(principalId)) ? 1 : 0;
  }
}
