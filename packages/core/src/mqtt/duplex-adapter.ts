import type { IStream } from 'mqtt';
import { Duplex } from 'readable-stream';
import type { MqttStream } from '../transport.js';

/**
 * MQTT.js needs a full Node `Duplex` (it pipes). A transport may give a plain {@link MqttStream}
 * (in browsers, a WebSocket without Node's stream polyfills): this wraps one as a Duplex.
 * A Duplex is passed through as it is.
 */
export function asDuplex(stream: MqttStream): IStream {
  if (typeof (stream as { pipe?: unknown }).pipe === 'function') return stream as unknown as IStream;
  const duplex = new Duplex({
    allowHalfOpen: false,
    read() {
      // Data is pushed as it arrives; a WebSocket cannot be paused.
    },
    write(chunk: Uint8Array, _encoding, callback) {
      if (stream.write(chunk)) callback();
      else {
        const drained = (): void => {
          stream.off('drain', drained);
          callback();
        };
        stream.on('drain', drained);
      }
    },
    final(callback) {
      stream.end();
      callback();
    },
    destroy(error, callback) {
      stream.off('data', onData);
      stream.off('close', onClose);
      stream.off('error', onError);
      stream.destroy();
      callback(error);
    },
  });
  const onData = (chunk: Uint8Array): void => void duplex.push(chunk);
  const onError = (error: Error): void => void duplex.destroy(error);
  const onClose = (): void => {
    duplex.push(null);
    duplex.destroy();
  };
  stream.on('data', onData);
  stream.on('error', onError);
  stream.on('close', onClose);
  return duplex as unknown as IStream;
}
