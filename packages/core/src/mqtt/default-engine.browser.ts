import { leanEngine } from './lean-engine.js';
import type { MqttEngine } from './mqtt-engine.js';

/**
 * The engine a client uses in browsers when `engine` is not given: the lean engine, so a
 * browser bundle carries neither MQTT.js nor Node's stream and Buffer polyfills. The core
 * `browser` build puts this module in place of `default-engine.ts`.
 */
export const defaultEngine: MqttEngine = leanEngine;
