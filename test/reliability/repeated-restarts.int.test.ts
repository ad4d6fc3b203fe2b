/**
 * The lost-link rule (issue 12, item 10) against Debian's mosquitto restarted again and again:
 * a client whose link had been up at least the quick-drop window (`takeoverWindowMs`) comes back
 * with the first backoff step after every restart; links dropped right after CONNACK keep
 * backing off. Time is a ManualClock (links "stay up" by advancing it; backoff delays pass by
 * advancing them); the broker, the sockets and the restarts are real. `random` at its top makes
 * each delay the ceiling of its step, so the step shows in the delay.
 */
import { WebcommClient, type ReconnectingInfo } from '@webcomm/core';
import { ManualClock } from '@webcomm/core/testing';
import { connectAsync } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { nextEvent } from '../helpers/events.js';
import { startMosquitto, type TestMosquitto } from '../helpers/mosquitto.js';
import { tcpTransport } from '../helpers/tcp-transport.js';

const TOPIC = 'game/dev/content';
let broker: TestMosquitto;
let client: WebcommClient;
afterEach(async () => {
  await client.close();
  await broker.stop();
});

/** One restart: the broker goes down and comes back; the client's retry passes at once; a retained message must arrive. */
async function restartAndRecover(clock: ManualClock, got: string[], r: number): Promise<ReconnectingInfo> {
  const retry = nextEvent(client, 'reconnecting');
  await broker.restart();
  const [info] = await retry;
  const back = nextEvent(client, 'connected');
  clock.advance(info.delayMs);
  await back;
  const publisher = await connectAsync(`mqtt://127.0.0.1:${broker.port}`, { clientId: `pub-${r}`, reconnectPeriod: 0 });
  const arrived = nextEvent(client, 'message', (m) => new TextDecoder().decode(m.payload) === `"v${r}"`);
  await publisher.publishAsync(TOPIC, JSON.stringify(`v${r}`), { qos: 1 });
  await publisher.endAsync();
  await arrived;
  expect(got.at(-1)).toBe(`v${r}`);
  return info;
}

describe('repeated mosquitto restarts', () => {
  it.each([
    ['up 3 s between restarts: back with the first step every time', 3_000, [999, 999, 999, 999, 999, 999]],
    ['dropped right after CONNACK: keeps backing off', 0, [999, 1_999, 3_999, 7_999, 15_998, 29_997]],
  ])('%s', async (_label, upMs, expected) => {
    broker = await startMosquitto();
    const clock = new ManualClock(0);
    client = new WebcommClient({
      transport: tcpTransport(broker.port),
      clientId: `restarts-${Date.now()}`,
      clock,
      random: () => 0.9999,
    });
    const got: string[] = [];
    await client.subscribe<string>(TOPIC, (m) => void got.push(m), { qos: 1 });
    await client.connect();
    const delays: number[] = [];
    for (let r = 0; r < expected.length; r++) {
      clock.advance(upMs);
      const info = await restartAndRecover(clock, got, r);
      delays.push(info.delayMs);
    }
    expect(delays).toEqual(expected);
  });
});
