import type { MqttClient as MqttClientType } from 'mqtt';
import * as clientModule from 'mqtt/lib/client';

/**
 * MQTT.js's client class, taken from its sources (`mqtt/lib/client`) rather than the package
 * entry: under the `browser` condition the entry resolves to MQTT.js's prebuilt bundle
 * (the minified one bundlers pick is about 105 KB min+gz; the 150 KB figure once quoted here
 * is its unminified file), with its own copy of Node stream polyfills and a default export
 * only. The sources let a bundler keep just the client we drive, over the stream our
 * transport hands it.
 *
 * `mqtt/lib/client` is not a public entry, so mqtt is pinned to one exact version in every
 * package; `test/core/mqtt-surface.int.test.ts` checks the members and events we rely on.
 *
 * `mqtt/lib/client` is CommonJS with `exports.default`; bundlers unwrap that to the class,
 * Node's ESM loader does not, so accept both shapes.
 */
type MqttClientClass = typeof MqttClientType;
const exported = clientModule.default as unknown as MqttClientClass | { default: MqttClientClass };
export const MqttClient: MqttClientClass = typeof exported === 'function' ? exported : exported.default;
