/**
 * The part of `aws-iot-device-sdk` (AWS's v1 device SDK, plain JavaScript) the interop tests
 * use, typed here rather than adding @types/aws-iot-device-sdk for four members.
 */
declare module 'aws-iot-device-sdk' {
  import type { EventEmitter } from 'node:events';

  export interface DeviceOptions {
    protocol: 'mqtts' | 'wss';
    host: string;
    port: number;
    clientId: string;
    region?: string;
    accessKeyId?: string;
    secretKey?: string;
    sessionToken?: string;
    privateKey?: Buffer;
    clientCert?: Buffer;
    caCert?: Buffer;
    websocketOptions?: Record<string, unknown>;
    baseReconnectTimeMs?: number;
    keepalive?: number;
  }

  export interface Device extends EventEmitter {
    subscribe(
      topic: string,
      options: { qos: 0 | 1 },
      callback: (error: Error | null, granted: { topic: string; qos: number }[]) => void,
    ): void;
    publish(topic: string, message: string, options: { qos: 0 | 1 }, callback?: (error?: Error) => void): void;
    end(force: boolean, callback?: () => void): void;
  }

  const sdk: { device(options: DeviceOptions): Device };
  export default sdk;
}
