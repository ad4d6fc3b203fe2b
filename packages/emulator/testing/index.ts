/**
 * `@webcomm/emulator/testing`: helpers for tests against the emulator (a fixture that starts and
 * stops it on port 0, in-memory users and channels, certificate logins, presigned URLs, a
 * deterministic epoch-based clock and promise helpers around raw MQTT.js clients).
 *
 * @module testing
 */
export { certificateLogin, type CertificateLogin } from './certificate-login.js';
export { startFixture, type EmulatorFixture } from './emulator-fixture.js';
export { ManualClock } from './manual-clock.js';
export { MemoryUsers, TestChannels } from './memory-service.js';
export { closed, connect, connectRefused, end, nextMessage, subscribe } from './mqtt-helpers.js';
export { presignMqttUrl, type TestCredentials } from './presign.js';
export { upgradeRefusal, type UpgradeRefusal } from './ws-refusal.js';
