/**
 * An emulator started with `startEmulator()`'s defaults (its own user table and channels) on a
 * temporary data directory, plus MQTT.js helpers that wait on events, never on time. For the
 * security and interop suites; pass options only where a test is about that option.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IClientOptions, MqttClient } from 'mqtt';
import { connect } from '../../packages/emulator/testing/mqtt-helpers.js';
import {
  startEmulator,
  type EmulatorOptions,
  type Logger,
  type Refusal,
  type RunningEmulator,
} from '@webcomm/emulator';

/** A running emulator, its log lines and its refusals. */
export interface EmulatorUnderTest {
  readonly emulator: RunningEmulator;
  readonly logs: string[];
  /** Every refusal so far: assert why the emulator refused by `reason`, not by log text. */
  readonly refusals: Refusal[];
  /** Stops it and removes the data directory. */
  close(): Promise<void>;
}

/** Starts an emulator on a fresh temporary directory; `options` only where a test needs them. */
export async function startEmulatorUnderTest(options: EmulatorOptions = {}): Promise<EmulatorUnderTest> {
  const dataDir = await mkdtemp(join(tmpdir(), 'webcomm-sec-'));
  const logs: string[] = [];
  const logger: Logger = {
    info: (line) => logs.push(line),
    warn: (line) => logs.push(line),
    error: (line) => logs.push(line),
  };
  const emulator = await startEmulator({ logger, ...options, dataDir });
  const refusals: Refusal[] = [];
  emulator.onRefusal((refusal) => refusals.push(refusal));
  return {
    emulator,
    logs,
    refusals,
    async close() {
      await emulator.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Connects and resolves on CONNACK; rejects on an error or a close before it (10 s to connect). */
export function mqttConnect(url: string, options: IClientOptions = {}): Promise<MqttClient> {
  return connect(url, { connectTimeout: 10_000, ...options });
}

/** Expects a refusal; resolves with the CONNACK return code (undefined when the socket was cut). */
export function mqttRefused(url: string, options: IClientOptions = {}): Promise<number | undefined> {
  return mqttConnect(url, options).then(
    (client) => {
      client.end(true);
      throw new Error(`connection as "${options.clientId ?? ''}" was accepted`);
    },
    (error: Error & { code?: unknown }) => (typeof error.code === 'number' ? error.code : undefined),
  );
}

/** Resolves when the client's connection has closed. */
export function closed(client: MqttClient): Promise<void> {
  return new Promise((resolve) => {
    if (!client.connected) resolve();
    else client.once('close', () => resolve());
  });
}

/** Resolves with the next message whose topic satisfies `predicate`. */
export function nextMessage(
  client: MqttClient,
  predicate: (topic: string) => boolean = () => true,
): Promise<{ topic: string; payload: string }> {
  return new Promise((resolve) => {
    const onMessage = (topic: string, payload: Buffer): void => {
      if (!predicate(topic)) return;
      client.off('message', onMessage);
      resolve({ topic, payload: payload.toString() });
    };
    client.on('message', onMessage);
  });
}

/** MQTT.js options for a client certificate the operator issued (the emulator's CA) for `clientId`. */
export async function certificateOptions(emulator: RunningEmulator, clientId: string): Promise<IClientOptions> {
  const issued = await emulator.ca.issueClientCertificate(clientId);
  return { clientId, cert: issued.certificatePem, key: issued.privateKeyPem, ca: emulator.caPem };
}

/** Registers a new WEBSOCKET client through the service API; returns its client id. */
export async function registerWebSocketClient(emulator: RunningEmulator): Promise<string> {
  const response = await fetch(`${emulator.endpoints.http}/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ type: 'WEBSOCKET' }),
  });
  if (!response.ok) throw new Error(`registration failed: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { clientId: string }).clientId;
}

async function cognitoCall(
  emulator: RunningEmulator,
  operation: string,
  body: object,
): Promise<Record<string, unknown>> {
  const response = await fetch(emulator.endpoints.cognito, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `AWSCognitoIdentityService.${operation}` },
    body: JSON.stringify(body),
  });
  const answer = (await response.json()) as Record<string, unknown>;
  if (!response.ok) throw new Error(`Cognito ${operation}: ${response.status} ${JSON.stringify(answer)}`);
  return answer;
}

/** A guest identity and its credentials from the emulator's Cognito endpoint (its JSON protocol, by hand). */
export async function guestCredentials(emulator: RunningEmulator): Promise<{
  identityId: string;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken: string };
}> {
  const { IdentityId } = (await cognitoCall(emulator, 'GetId', { IdentityPoolId: emulator.identityPoolId })) as {
    IdentityId: string;
  };
  const { Credentials } = (await cognitoCall(emulator, 'GetCredentialsForIdentity', { IdentityId })) as {
    Credentials: { AccessKeyId: string; SecretKey: string; SessionToken: string };
  };
  return {
    identityId: IdentityId,
    credentials: {
      accessKeyId: Credentials.AccessKeyId,
      secretAccessKey: Credentials.SecretKey,
      sessionToken: Credentials.SessionToken,
    },
  };
}
