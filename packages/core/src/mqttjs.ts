/**
 * `@webcomm/core/mqttjs`: the MQTT.js engine, an opt-in (the lean engine is the default on
 * every platform). An entry of its own so that an app that does not choose it carries none of
 * MQTT.js or Node's stream and Buffer polyfills: `new WebcommClient({ ..., engine: mqttJsEngine })`.
 * @packageDocumentation
 */
export { mqttJsEngine } from './mqtt/mqttjs-engine.js';
