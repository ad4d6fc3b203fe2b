/**
 * `@webcomm/core/mqttjs`: the MQTT.js engine, the engine of record (the default on Node). An
 * entry of its own so that a browser app that does not choose it carries none of MQTT.js or
 * Node's stream and Buffer polyfills: `new WebcommClient({ ..., engine: mqttJsEngine })`.
 * @packageDocumentation
 */
export { mqttJsEngine } from './mqtt/mqttjs-engine.js';
