/**
 * Server-side rules (`startEmulator({ rules })`), against a real emulator on port 0: a player
 * publishes a score on an opted-in channel (through `POST /publish`, and straight to the broker
 * with an operator grant), the rule's handler stores it with the publisher's identity, and the
 * backend answers on the player's private channel with `sendToClient` (IoT data plane Publish). Handler errors are logged and never reach the
 * publisher; a slow handler does not hold up the PUBACK; a publish the policy refuses runs no rule.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { isWebcommError } from '@webcomm/core';
import { presignIotUrl } from '@webcomm/aws';
import { createBackend, type Backend } from '@webcomm/aws-service';
import {
  startEmulator,
  type EmulatorOptions,
  type RunningEmulator,
  type TopicRule,
  type TopicRuleContext,
} from '@webcomm/emulator';
import { closed, connect, nextMessage, subscribe } from '@webcomm/emulator/testing';
import type { ChannelsConfig } from '@webcomm/service';

const CHANNELS: ChannelsConfig = {
  project: 'webcomm',
  deployment: 'local',
  channels: [
    { name: 'announcements', type: 'broadcast' },
    { name: 'private', type: 'private' },
    // Opted in: players send scores through POST /publish; tools may be granted direct publish.
    {
      name: 'scores',
      type: 'custom',
      topic: 'webcomm/local/scores/{clientId}',
      clientPublish: true,
      trustedPublish: true,
    },
  ],
};
const SCORES_SQL = "SELECT *, topic() AS topic, clientid() AS clientId FROM 'webcomm/local/scores/+'";

/** Everything the handlers saw, with a wait on the n-th call (no sleeps). */
class Calls {
  readonly seen: { message: unknown; context: TopicRuleContext; at: number }[] = [];
  readonly #waiters: { count: number; resolve: () => void }[] = [];
  push(message: unknown, context: TopicRuleContext): void {
    this.seen.push({ message, context, at: performance.now() });
    for (const waiter of this.#waiters.splice(0))
      if (this.seen.length >= waiter.count) waiter.resolve();
      else this.#waiters.push(waiter);
  }
  until(count: number): Promise<void> {
    if (this.seen.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ count, resolve }));
  }
}

interface Player {
  clientId: string;
  serviceToken: string;
  link: MqttClient;
}

let emulator: RunningEmulator | undefined;
let backend: Backend | undefined;
let dataDir: string | undefined;
const logs: string[] = [];
const links: MqttClient[] = [];
afterEach(async () => {
  for (const link of links.splice(0)) link.end(true);
  backend?.close();
  backend = undefined;
  await emulator?.stop();
  emulator = undefined;
  if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
  logs.length = 0;
});

async function start(rules: readonly TopicRule[], options: EmulatorOptions = {}): Promise<RunningEmulator> {
  dataDir = await mkdtemp(join(tmpdir(), 'webcomm-rules-'));
  await writeFile(join(dataDir, 'channels.json'), JSON.stringify(CHANNELS));
  const logger = {
    info: (line: string) => logs.push(line),
    warn: (line: string) => logs.push(line),
    error: (line: string) => logs.push(line),
  };
  emulator = await startEmulator({ dataDir, logger, rules, ...options });
  return emulator;
}

function admin(method: string, path: string, body: unknown): Promise<Response> {
  const running = emulator as RunningEmulator;
  return fetch(`${running.endpoints.http}${path}`, {
    method,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${running.adminToken}` },
    body: JSON.stringify(body),
  });
}

/** Registers as WEBSOCKET and connects over the SigV4 WebSocket; `grant` asks the operator for direct publish on scores first. */
async function player(grant = false): Promise<Player> {
  const running = emulator as RunningEmulator;
  const registration = (await (
    await fetch(`${running.endpoints.http}/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"type":"WEBSOCKET"}',
    })
  ).json()) as {
    clientId: string;
    serviceToken: string;
    openIdToken: string;
    region: string;
    endpoint: { url: string };
    cognitoEndpoint: string;
  };
  if (grant)
    expect(
      (
        await admin('PUT', `/admin/users/${encodeURIComponent(registration.clientId)}/publish`, {
          channels: ['scores'],
        })
      ).status,
    ).toBe(200);
  const cognito = await fetch(registration.cognitoEndpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': 'AWSCognitoIdentityService.GetCredentialsForIdentity',
    },
    body: JSON.stringify({
      IdentityId: registration.clientId,
      Logins: { 'cognito-identity.amazonaws.com': registration.openIdToken },
    }),
  });
  const { Credentials } = (await cognito.json()) as {
    Credentials: { AccessKeyId: string; SecretKey: string; SessionToken: string };
  };
  const url = await presignIotUrl({
    endpoint: registration.endpoint.url,
    region: registration.region,
    credentials: {
      accessKeyId: Credentials.AccessKeyId,
      secretAccessKey: Credentials.SecretKey,
      sessionToken: Credentials.SessionToken,
    },
  });
  const link = await connect(url, { clientId: registration.clientId, protocolVersion: 4 });
  links.push(link);
  await subscribe(link, `webcomm/local/private/client/${registration.clientId}`, 1);
  return { clientId: registration.clientId, serviceToken: registration.serviceToken, link };
}

function sendScore(who: Player, message: unknown): Promise<Response> {
  return fetch(`${(emulator as RunningEmulator).endpoints.http}/publish`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${who.serviceToken}` },
    body: JSON.stringify({ channel: 'scores', message }),
  });
}

describe('server-side rules', () => {
  it("stores a score a player sends through POST /publish, and the backend answers on the player's private channel with sendToClient", async () => {
    const calls = new Calls();
    const leaderboard = new Map<string, number>();
    await start([
      {
        name: 'store_scores',
        sql: SCORES_SQL,
        handler: async (message, context) => {
          const { score } = message as { score: number };
          leaderboard.set(context.clientId, score);
          calls.push(message, context);
          const rank = [...leaderboard.values()].filter((other) => other > score).length + 1;
          // The backend's answer on the publisher's private channel, through the IoT data plane.
          await backend?.sendToClient(context.clientId, 'private', { rank, score });
        },
      },
    ]);
    const running = emulator as unknown as RunningEmulator;
    backend = createBackend({
      endpoint: running.endpoints.iotData,
      region: running.region,
      credentials: running.backendCredentials,
      channels: CHANNELS,
    });
    const alice = await player();
    const answer = nextMessage(alice.link, (topic) => topic.includes('/private/'));
    const sent = await sendScore(alice, { score: 42 });
    expect(sent.status).toBe(200);
    expect(JSON.parse((await answer).payload.toString('utf8'))).toEqual({ rank: 1, score: 42 });
    await calls.until(1);
    const [call] = calls.seen;
    expect(call?.message).toEqual({
      score: 42,
      topic: `webcomm/local/scores/${alice.clientId}`,
      clientId: alice.clientId,
    });
    expect(call?.context).toMatchObject({
      rule: 'store_scores',
      topic: `webcomm/local/scores/${alice.clientId}`,
      clientId: alice.clientId,
      principalId: alice.clientId,
      via: 'service-api',
    });
    expect(leaderboard.get(alice.clientId)).toBe(42);
  });

  it("runs on a direct broker publish after the policy allows it, with the publisher's identity; a refused publish runs nothing", async () => {
    const calls = new Calls();
    await start([
      { name: 'store_scores', sql: SCORES_SQL, handler: (message, context) => calls.push(message, context) },
    ]);
    const tool = await player(true);
    await tool.link.publishAsync(`webcomm/local/scores/${tool.clientId}`, JSON.stringify({ score: 7 }), { qos: 1 });
    await calls.until(1);
    expect(calls.seen[0]?.context).toMatchObject({ clientId: tool.clientId, principalId: tool.clientId, via: 'mqtt' });
    expect(calls.seen[0]?.message).toMatchObject({ score: 7, clientId: tool.clientId });

    // Someone else's score topic: outside the policy, so the broker closes the link (MQTT 3.1.1) and no rule runs.
    const other = await player(true);
    tool.link.publish(`webcomm/local/scores/${other.clientId}`, JSON.stringify({ score: 1_000_000 }), { qos: 1 });
    await closed(tool.link);
    await other.link.publishAsync(`webcomm/local/scores/${other.clientId}`, JSON.stringify({ score: 8 }), { qos: 1 });
    await calls.until(2);
    expect(calls.seen.map((call) => (call.message as { score: number }).score)).toEqual([7, 8]);
  });

  it("logs a handler's error, never delays the publisher's PUBACK or answer, and keeps the link", async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let started = 0;
    let finished = 0;
    const slowStarted = new Calls();
    await start([
      {
        name: 'throws',
        sql: SCORES_SQL,
        handler: () => {
          throw new Error('boom in the handler');
        },
      },
      {
        name: 'rejects',
        sql: "SELECT * FROM 'webcomm/local/scores/#'",
        handler: async () => Promise.reject(new Error('rejected in the handler')),
      },
      {
        name: 'slow',
        sql: SCORES_SQL,
        handler: async (message, context) => {
          started++;
          slowStarted.push(message, context);
          await gate;
          finished++;
        },
      },
    ]);
    const tool = await player(true);
    await tool.link.publishAsync(`webcomm/local/scores/${tool.clientId}`, '{"score":1}', { qos: 1 });
    expect((await sendScore(tool, { score: 2 })).status).toBe(200);
    await slowStarted.until(2);
    expect({ started, finished }).toEqual({ started: 2, finished: 0 });
    expect(tool.link.connected).toBe(true);
    await tool.link.publishAsync(`webcomm/local/scores/${tool.clientId}`, '{"score":3}', { qos: 1 });
    await slowStarted.until(3);
    expect(
      logs.some(
        (line) =>
          line.includes('rule "throws" failed') && line.includes('boom in the handler') && line.includes(tool.clientId),
      ),
    ).toBe(true);
    expect(
      logs.some((line) => line.includes('rule "rejects" failed') && line.includes('rejected in the handler')),
    ).toBe(true);
    release();
  });

  it('refuses SQL outside the supported forms, a bad name and a missing handler with WEBCOMM_INVALID_RULE', async () => {
    const cases: unknown[] = [
      [{ name: 'r', sql: "SELECT * FROM 'a/+' WHERE score > 10", handler: () => undefined }],
      [{ name: 'bad-name', sql: "SELECT * FROM 'a'", handler: () => undefined }],
      [{ name: 'r', sql: "SELECT * FROM 'a'" }],
      [
        { name: 'r', sql: "SELECT * FROM 'a'", handler: () => undefined },
        { name: 'r', sql: "SELECT * FROM 'b'", handler: () => undefined },
      ],
    ];
    for (const rules of cases) {
      const error: unknown = await startEmulator({
        dataDir: '/nonexistent-never-created',
        rules: rules as TopicRule[],
      }).catch((caught: unknown) => caught);
      expect(isWebcommError(error, 'WEBCOMM_INVALID_RULE'), String(error)).toBe(true);
    }
    const typo: unknown = await startEmulator({
      rules: [{ name: 'r', sql: "SELECT * FROM 'a'", handler: () => undefined, hander: 1 } as TopicRule],
    }).catch((caught: unknown) => caught);
    expect(isWebcommError(typo, 'WEBCOMM_INVALID_OPTION')).toBe(true);
  });

  it('measures the latency from a client publish to the rule handler (200 QoS 1 publishes)', async () => {
    const calls = new Calls();
    await start([
      { name: 'store_scores', sql: SCORES_SQL, handler: (message, context) => calls.push(message, context) },
    ]);
    const tool = await player(true);
    const topic = `webcomm/local/scores/${tool.clientId}`;
    const latencies: number[] = [];
    for (let index = 0; index < 200; index++) {
      const sentAt = performance.now();
      tool.link.publish(topic, JSON.stringify({ score: index }), { qos: 1 });
      await calls.until(index + 1);
      latencies.push((calls.seen[index]?.at ?? Number.NaN) - sentAt);
    }
    latencies.sort((a, b) => a - b);
    const p50 = latencies[99] ?? Number.NaN;
    const p99 = latencies[197] ?? Number.NaN;
    console.log(
      `rule latency, publish -> handler, 200 QoS 1 publishes over ws: p50 ${p50.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms, max ${(latencies[199] ?? Number.NaN).toFixed(2)} ms`,
    );
    expect(calls.seen.map((call) => (call.message as { score: number }).score)).toEqual([...Array(200).keys()]);
    expect(p50).toBeGreaterThan(0);
  });
});
