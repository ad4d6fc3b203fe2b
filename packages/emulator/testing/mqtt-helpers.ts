/** Small promise helpers around raw MQTT.js clients for tests (no sleeps: every wait is on an event). */
import type { IClientOptions, MqttClient, Packet } from 'mqtt';
import mqtt from 'mqtt';

/** Connects and resolves on CONNACK; rejects on error or close before it. */
export function connect(url: string, options: IClientOptions = {}): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const client = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 5_000, ...options });
    const fail = (error: Error): void => {
      client.end(true);
      reject(error);
    };
    client.once('connect', () => {
      client.off('error', fail);
      resolve(client);
    });
    client.once('error', fail);
    client.once('close', () => fail(new Error('closed before CONNACK')));
  });
}

/** Connects and expects a refusal; resolves with the CONNACK return code or the error. */
export function connectRefused(
  url: string,
  options: IClientOptions = {},
): Promise<{ code: number | undefined; error: Error }> {
  return connect(url, options).then(
    (client) => {
      client.end(true);
      throw new Error('connection was accepted');
    },
    (error: Error & { code?: number }) => ({ code: typeof error.code === 'number' ? error.code : undefined, error }),
  );
}

/** Resolves when the client's connection closes. */
export function closed(client: MqttClient): Promise<void> {
  return new Promise((resolve) => {
    if (client.disconnected || !client.connected) {
      resolve();
      return;
    }
    client.once('close', () => resolve());
  });
}

/** Resolves with the next message on a topic matching `predicate`. */
export function nextMessage(
  client: MqttClient,
  predicate: (topic: string) => boolean = () => true,
): Promise<{ topic: string; payload: Buffer; packet: Packet }> {
  return new Promise((resolve) => {
    const onMessage = (topic: string, payload: Buffer, packet: Packet): void => {
      if (!predicate(topic)) return;
      client.off('message', onMessage);
      resolve({ topic, payload, packet });
    };
    client.on('message', onMessage);
  });
}

/** Subscribes and resolves with the granted QoS list. */
export async function subscribe(client: MqttClient, filters: string | string[], qos: 0 | 1 | 2 = 0): Promise<number[]> {
  const granted = await client.subscribeAsync(filters, { qos });
  return granted.map((grant) => grant.qos);
}

/** Ends a client and waits for it. */
export async function end(client: MqttClient): Promise<void> {
  await client.endAsync();
}
