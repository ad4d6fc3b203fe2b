import type { MqttClient as MqttClientType } from 'mqtt';
import * as clientModule from 'mqtt/lib/client';

/**
 * MQTT.js's client class, taken from its sources (`mqtt/lib/client`) rather than the package
 * entry: under the `browser` condition the entry resolves to MQTT.js's prebuilt bundle
 * (150 KB gz, its own copy of Node stream polyfills, a default export only). The sources let
 * a bundler keep just the client we drive, over the stream our transport hands it.
 *
 * `mqtt/lib/client` is CommonJS with `exports.default`; bundlers unwrap that to the class,
 * Node's ESM loader does not, so accept both shapes.
 */
type MqttClientClass = typeof MqttClientType;
const exported = clientModule.default as unknown as MqttClientClass | { default: MqttClientClass };
export const MqttClient: MqttClientClass = typeof exported === 'function' ? exported : exported.default;
