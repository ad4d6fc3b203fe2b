/**
 * `@webcomm/emulator`: a local Web Communicator service on aedes that behaves towards
 * clients like AWS IoT Core. Start it with {@link startEmulator}.
 *
 * @module index
 */
export { startEmulator } from './start-emulator.js';
export type { RunningEmulator, EmulatorEndpoints, EmulatorBroker } from './start-emulator.js';
export { DEFAULTS as EMULATOR_DEFAULTS, resolveOptions as resolveEmulatorOptions } from './emulator-options.js';
export type { EmulatorOptions, EmulatorPorts, ResolvedEmulatorOptions } from './emulator-options.js';
export type { ConnectionInfo } from './broker/live-sessions.js';
export { IOT_LIMITS } from './broker/iot-limits.js';
export type { IotLimits } from './broker/iot-limits.js';
export type { DisconnectReason, ConnectedEvent, DisconnectedEvent } from './broker/presence-events.js';
export type {
  AuthorizerEvent,
  AuthorizerRefusal,
  AuthorizerResponse,
  CustomAuthorizer,
  CustomAuthorizerConfig,
} from './auth/custom-authorizer.js';
export type { SigV4Check } from './auth/sigv4-verifier.js';
export type { CredentialCheck } from './cognito/local-identity-issuer.js';
export type { Clock, ClockTimer } from './clock.js';
export { systemClock } from './clock.js';
export type { Logger } from './logger.js';
export type {
  ConnectRefusalReason,
  PacketRefusalReason,
  Refusal,
  RefusalAction,
  RefusalListener,
  RefusalReason,
  UpgradeRefusalReason,
} from './refusal-events.js';
export type { SigningCredentials } from './auth/header-signature.js';
export { consoleLogger, silentLogger } from './logger.js';
export { COGNITO_PATH } from './cognito/cognito-routes.js';
export { MQTT_WS_PATH } from './listeners/websocket-upgrade.js';
export type * from './service/contracts.js';
export type { RateLimit } from '@webcomm/service';
export type { TopicRule, TopicRuleContext, TopicRuleHandler } from './rules/topic-rule-engine.js';
export { SUPPORTED_RULE_SQL } from './rules/topic-rule-sql.js';
