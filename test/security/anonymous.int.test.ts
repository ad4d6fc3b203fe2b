/**
 * Issue 13, item 1: no anonymous takeover. By default a CONNECT without credentials is refused
 * on every listener; a client id such as `#`, `+` or `*` never widens a grant; client ids are
 * checked like IoT Core's; and when a developer turns anonymous access on, an anonymous link
 * receives broadcast channels only and cannot pass for a known client.
 */
import type { MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import type { AuthorizerResponse } from '@webcomm/emulator';
import {
  certificateOptions,
  closed,
  mqttConnect,
  mqttRefused,
  nextMessage,
  registerWebSocketClient,
  startEmulatorUnderTest,
  type EmulatorUnderTest,
} from '../helpers/emulator-under-test.js';

const PRIVATE = (clientId: string): string => `webcomm/local/private/client/${clientId}`;
const ANNOUNCEMENTS = 'webcomm/local/announcements';

let env: EmulatorUnderTest | undefined;
const clients: MqttClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.end(true);
  await env?.close();
  env = undefined;
});

async function link(url: string, options: Parameters<typeof mqttConnect>[1]): Promise<MqttClient> {
  const client = await mqttConnect(url, options);
  clients.push(client);
  return client;
}

/** Proves `client` got nothing before a later message: the broker delivers to one client in order. */
async function receivedBefore(
  client: MqttClient,
  syncTopic: string,
  publish: (topic: string, text: string) => Promise<void>,
): Promise<string[]> {
  const seen: string[] = [];
  const onMessage = (topic: string): void => void seen.push(topic);
  client.on('message', onMessage);
  const sync = nextMessage(client, (topic) => topic === syncTopic);
  await publish(syncTopic, 'sync');
  await sync;
  client.off('message', onMessage);
  return seen.filter((topic) => topic !== syncTopic);
}

function authorizer(policy: object): { game: { handler: () => Promise<AuthorizerResponse> } } {
  return {
    game: {
      handler: async () => ({
        isAuthenticated: true,
        principalId: 'tester',
        disconnectAfterInSeconds: 3600,
        refreshAfterInSeconds: 3600,
        policyDocuments: [JSON.stringify(policy)],
      }),
    },
  };
}
const AUTHORIZER_USERNAME = '?x-amz-customauthorizer-name=game&token=t';

describe('defaults: no anonymous access', () => {
  it('refuses a CONNECT without credentials on mqtt:// and ws://, even with a registered id; the registered client keeps its link and its channel', async () => {
    env = await startEmulatorUnderTest();
    const { emulator } = env;
    const victimId = await registerWebSocketClient(emulator);
    const victim = await link(emulator.endpoints.mqtts, await certificateOptions(emulator, victimId));
    await victim.subscribeAsync(PRIVATE(victimId));

    for (const url of [emulator.endpoints.mqtt, emulator.endpoints.ws]) {
      expect(await mqttRefused(url, { clientId: victimId })).toBe(5);
      expect(await mqttRefused(url, { clientId: 'someone-new' })).toBe(5);
    }
    expect(env.refusals.map((r) => `${r.transport} ${r.action} ${r.reason} ${r.clientId ?? '?'}`)).toEqual(
      ['tcp', 'ws'].flatMap((transport) =>
        [victimId, 'someone-new'].map((clientId) => `${transport} connect no-credentials ${clientId}`),
      ),
    );
    expect(victim.connected).toBe(true);
    const mine = nextMessage(victim);
    await emulator.broker.publish(PRIVATE(victimId), Buffer.from('still yours'));
    expect((await mine).payload).toBe('still yours');
  });

  it.each(['#', '+'])(
    "grants client id %s its own private topic literally: it never reads another client's",
    async (wildId) => {
      env = await startEmulatorUnderTest();
      const { emulator } = env;
      const alice = await link(emulator.endpoints.mqtts, await certificateOptions(emulator, 'alice'));
      await alice.subscribeAsync(PRIVATE('alice'));
      const wild = await link(emulator.endpoints.mqtts, await certificateOptions(emulator, wildId));
      // The literal filter is its own (as in IoT Core); it must not match anyone else's topic.
      const granted = await wild.subscribeAsync([PRIVATE(wildId), ANNOUNCEMENTS]);
      expect(granted.map((grant) => grant.qos)).toEqual([0, 0]);
      const atAlice = nextMessage(alice);
      const leaked = await receivedBefore(wild, ANNOUNCEMENTS, async (topic, text) => {
        await emulator.broker.publish(PRIVATE('alice'), Buffer.from('secret'));
        await emulator.broker.publish(topic, Buffer.from(text));
      });
      expect(leaked).toEqual([]);
      expect((await atAlice).payload).toBe('secret');
      // Asking for alice's topic outright is a policy violation.
      const gone = closed(wild);
      wild.subscribe(PRIVATE('alice'));
      await gone;
      expect(env.refusals).toEqual([
        expect.objectContaining({
          action: 'subscribe',
          reason: 'policy-denied',
          clientId: wildId,
          topic: PRIVATE('alice'),
          linkKept: false,
        }),
      ]);
    },
  );

  it("substitutes an authorizer's client id * literally into ${iot:ClientId}: no wildcard grant", async () => {
    env = await startEmulatorUnderTest({
      authorizers: authorizer({
        Statement: [
          { Effect: 'Allow', Action: 'iot:Connect', Resource: '*' },
          {
            Effect: 'Allow',
            Action: ['iot:Subscribe', 'iot:Receive'],
            Resource: [
              `arn:aws:iot:*:*:topicfilter/${PRIVATE('${iot:ClientId}')}`,
              `arn:aws:iot:*:*:topic/${PRIVATE('${iot:ClientId}')}`,
              `arn:aws:iot:*:*:topic*/${ANNOUNCEMENTS}`,
            ],
          },
        ],
      }),
    });
    const { emulator } = env;
    const alice = await link(emulator.endpoints.mqtts, await certificateOptions(emulator, 'alice'));
    await alice.subscribeAsync(PRIVATE('alice'));
    for (const filter of [PRIVATE('#'), PRIVATE('+'), PRIVATE('alice')]) {
      const star = await link(emulator.endpoints.mqtt, { clientId: '*', username: AUTHORIZER_USERNAME });
      const gone = closed(star);
      star.subscribe(filter);
      await gone;
    }
    expect(env.refusals.map((r) => `${r.clientId ?? '?'} ${r.action} ${r.reason} ${r.topic ?? '?'}`)).toEqual(
      [PRIVATE('#'), PRIVATE('+'), PRIVATE('alice')].map((filter) => `* subscribe policy-denied ${filter}`),
    );
    const star = await link(emulator.endpoints.mqtt, { clientId: '*', username: AUTHORIZER_USERNAME });
    await star.subscribeAsync([PRIVATE('*'), ANNOUNCEMENTS]);
    const leaked = await receivedBefore(star, ANNOUNCEMENTS, async (topic, text) => {
      await emulator.broker.publish(PRIVATE('alice'), Buffer.from('secret'));
      await emulator.broker.publish(topic, Buffer.from(text));
    });
    expect(leaked).toEqual([]);
  });

  it('issues certificates that name exactly the client id asked for (no DN parsing of #, quotes, commas)', async () => {
    env = await startEmulatorUnderTest();
    const { emulator } = env;
    for (const clientId of ['#', '#6869', '"bob"', 'a,CN=bob', ' bob ', 'a+b', 'é\\x']) {
      const client = await link(emulator.endpoints.mqtts, await certificateOptions(emulator, clientId));
      expect(emulator.broker.connectedClients()).toContain(clientId);
      client.end(true);
    }
    expect(emulator.broker.connectedClients()).not.toContain('bob');
  });

  it('checks client ids like IoT Core: 1-128 bytes of UTF-8, no leading $', async () => {
    env = await startEmulatorUnderTest({
      authorizers: authorizer({ Statement: [{ Effect: 'Allow', Action: 'iot:Connect', Resource: '*' }] }),
    });
    const { mqtt } = env.emulator.endpoints;
    const as = (clientId: string) => ({ clientId, username: AUTHORIZER_USERNAME });
    await link(mqtt, as('c'.repeat(128)));
    await link(mqtt, as('é'.repeat(64)));
    const refused = [
      ['c'.repeat(129), 'client-id-too-long'],
      ['é'.repeat(65), 'client-id-too-long'],
      ['$aws', 'client-id-reserved'],
      ['', 'client-id-empty'],
    ] as const;
    for (const [clientId] of refused) expect(await mqttRefused(mqtt, as(clientId))).toBe(5);
    expect(env.refusals.map((r) => [r.clientId, r.reason])).toEqual(refused);
  });
});

describe("allowAnonymous: true (a developer's explicit choice)", () => {
  it('lets an anonymous link receive broadcast channels, and nothing else', async () => {
    env = await startEmulatorUnderTest({ allowAnonymous: true });
    const { emulator } = env;
    for (const url of [emulator.endpoints.mqtt, emulator.endpoints.ws]) {
      const guest = await link(url, { clientId: 'guest-1' });
      await guest.subscribeAsync([ANNOUNCEMENTS, 'webcomm/local/chat']);
      const news = nextMessage(guest);
      await emulator.broker.publish(ANNOUNCEMENTS, Buffer.from('hello'));
      expect((await news).payload).toBe('hello');
      // Not even its own private channel: that needs an identity.
      const gone = closed(guest);
      guest.subscribe(PRIVATE('guest-1'));
      await gone;
      const publisher = await link(url, { clientId: 'guest-2' });
      const dropped = closed(publisher);
      publisher.publish('webcomm/local/chat', 'hi');
      await dropped;
    }
    expect(
      env.refusals.map((r) => `${r.transport} ${r.clientId ?? '?'} ${r.action} ${r.reason} ${r.topic ?? '?'}`),
    ).toEqual(
      ['tcp', 'ws'].flatMap((transport) => [
        `${transport} guest-1 subscribe policy-denied ${PRIVATE('guest-1')}`,
        `${transport} guest-2 publish policy-denied webcomm/local/chat`,
      ]),
    );
  });

  it("refuses an anonymous CONNECT with a registered or live client's id, and the client keeps its link", async () => {
    env = await startEmulatorUnderTest({ allowAnonymous: true });
    const { emulator } = env;
    const registered = await registerWebSocketClient(emulator);
    // A certificate client the user table does not know, only the broker (it is live).
    const device = await link(emulator.endpoints.mqtts, await certificateOptions(emulator, 'device-7'));
    for (const url of [emulator.endpoints.mqtt, emulator.endpoints.ws]) {
      expect(await mqttRefused(url, { clientId: registered })).toBe(5);
      expect(await mqttRefused(url, { clientId: 'device-7' })).toBe(5);
    }
    expect(env.refusals.map((r) => `${r.transport} ${r.clientId ?? '?'} ${r.reason}`)).toEqual(
      ['tcp', 'ws'].flatMap((transport) => [
        `${transport} ${registered} client-id-registered`,
        `${transport} device-7 client-id-in-use`,
      ]),
    );
    expect(device.connected).toBe(true);
    expect(emulator.broker.connections().find((c) => c.clientId === 'device-7')?.transport).toBe('tls');
  });
});
