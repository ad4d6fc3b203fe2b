import type { MqttEngine } from './mqtt-engine.js';
import { mqttJsEngine } from './mqttjs-engine.js';

/** The engine a client uses when `engine` is not given: MQTT.js, the engine of record. */
export const defaultEngine: MqttEngine = mqttJsEngine;
