import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { EmulatorFixture } from '../../testing/emulator-fixture.js';
import { startFixture } from '../../testing/emulator-fixture.js';

let fixture: EmulatorFixture;

/** Lets the client connect as `ws1` and receive its private topic. */
const POLICY = JSON.stringify({
  Statement: [
    { Effect: 'Allow', Action: 'iot:Connect', Resource: '*' },
    {
      Effect: 'Allow',
      Action: ['iot:Subscribe', 'iot:Receive'],
      Resource: [
        'arn:aws:iot:*:*:topicfilter/game/private/${iot:ClientId}',
        'arn:aws:iot:*:*:topic/game/private/${iot:ClientId}',
      ],
    },
  ],
});

beforeEach(async () => {
  fixture = await startFixture({
    authorizers: {
      ok: {
        handler: async () => ({
          isAuthenticated: true,
          principalId: 'p1',
          policyDocuments: [POLICY],
          disconnectAfterInSeconds: 3600,
          refreshAfterInSeconds: 3600,
        }),
      },
    },
  });
});

afterEach(async () => {
  await fixture.close();
});

const CONNECT = Buffer.from([
  0x10, 0x0f, 0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x04, 0x02, 0x00, 0x3c, 0x00, 0x03, 0x77, 0x73, 0x31,
]); // client id "ws1"
const topic = Buffer.from('game/private/ws1');
const SUBSCRIBE = Buffer.concat([
  Buffer.from([0x82, 2 + 2 + topic.length + 1, 0x00, 0x01, 0x00, topic.length]),
  topic,
  Buffer.from([0x00]),
]);

describe('MQTT over WebSocket framing', () => {
  it('delivers one PUBLISH as one WebSocket frame', async () => {
    const socket = new WebSocket(`${fixture.emulator.endpoints.ws}?x-amz-customauthorizer-name=ok&token=t`, [
      'mqttv3.1',
    ]);
    const frames: Buffer[] = [];
    const waiters: (() => void)[] = [];
    socket.on('message', (data: Buffer) => {
      frames.push(data);
      waiters.shift()?.();
    });
    const nextFrame = () => new Promise<void>((resolve) => waiters.push(resolve));
    await new Promise((resolve) => socket.once('open', resolve));
    expect(socket.protocol).toBe('mqttv3.1');
    socket.send(CONNECT);
    await nextFrame(); // CONNACK
    expect(frames[0]).toEqual(Buffer.from([0x20, 0x02, 0x00, 0x00]));
    socket.send(SUBSCRIBE);
    await nextFrame(); // SUBACK
    expect(frames[1]?.[0]).toBe(0x90);
    const publishFrame = nextFrame();
    await fixture.emulator.broker.publish('game/private/ws1', Buffer.from('x'.repeat(300)));
    await publishFrame;
    const frame = frames[2] ?? Buffer.alloc(0);
    expect(frame[0]).toBe(0x30);
    expect(frame.subarray(-300).toString()).toBe('x'.repeat(300));
    socket.close();
  });

  for (const [how, reason] of [
    ['a Close frame', 'CLIENT_INITIATED_DISCONNECT'],
    ['a dropped socket', 'CONNECTION_LOST'],
  ] as const) {
    it(`reports ${reason} after ${how} without an MQTT DISCONNECT`, async () => {
      const disconnected = new Promise<{ disconnectReason: string; clientInitiatedDisconnect: boolean }>((resolve) => {
        const untap = fixture.emulator.broker.tap('$aws/events/presence/disconnected/ws1', (_topic, payload) => {
          untap();
          resolve(JSON.parse(Buffer.from(payload).toString()) as never);
        });
      });
      const socket = new WebSocket(`${fixture.emulator.endpoints.ws}?x-amz-customauthorizer-name=ok&token=t`, [
        'mqttv3.1',
      ]);
      await new Promise((resolve) => socket.once('open', resolve));
      const connack = new Promise((resolve) => socket.once('message', resolve));
      socket.send(CONNECT);
      await connack;
      if (reason === 'CLIENT_INITIATED_DISCONNECT') socket.close(1000);
      else socket.terminate();
      expect(await disconnected).toMatchObject({
        disconnectReason: reason,
        clientInitiatedDisconnect: reason === 'CLIENT_INITIATED_DISCONNECT',
      });
    });
  }
});
