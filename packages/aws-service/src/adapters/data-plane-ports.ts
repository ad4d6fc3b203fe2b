/**
 * The broker ports over the IoT data plane: the service publishes with `Publish` and drops
 * connections with `DeleteConnection` (reason `API_INITIATED_DISCONNECT`; on MQTT 5 the client
 * gets DISCONNECT 0x98). IoT Core cannot list connected clients, so the admin API's client list
 * is empty on AWS (fleet indexing could answer it; not wired).
 */
import { DeleteConnectionCommand, PublishCommand, type IoTDataPlaneClient } from '@aws-sdk/client-iot-data-plane';
import type { BrokerAdminPort, PublishPort } from '@webcomm/service';
import { dataPlaneError } from '../data-plane-error.js';

/** `PublishPort` over `Publish`. */
export class DataPlanePublisher implements PublishPort {
  readonly #client: IoTDataPlaneClient;

  constructor(client: IoTDataPlaneClient) {
    this.#client = client;
  }

  async publish(topic: string, payload: Uint8Array, options: { qos: 0 | 1; retain?: boolean }): Promise<void> {
    try {
      await this.#client.send(
        new PublishCommand({ topic, payload, qos: options.qos, ...(options.retain === true ? { retain: true } : {}) }),
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
