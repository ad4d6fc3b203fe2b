/**
 * Issue 13: raw bytes into every MQTT listener (mqtt://, mqtts:// with a client certificate,
 * ws:// and wss:// with a SigV4 URL), random and mutated valid packets, with fast-check. Each
 * case is one connection: the bytes go out in random chunks, then the client half-closes and
 * waits for the server to close. The process must stay up (an uncaught error fails the run),
 * serve a real client afterwards, hold no connection open, and keep its memory.
 */
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { presignMqttUrl } from '../../packages/emulator/testing/presign.js';
import {
  certificateOptions,
  guestCredentials,
  mqttConnect,
  nextMessage,
  startEmulatorUnderTest,
  type EmulatorUnderTest,
} from '../helpers/emulator-under-test.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const RUNS = Number(process.env.FUZZ_RUNS ?? 120);

// --- a small MQTT encoder, so valid packets can be mutated ---

function varint(length: number): Buffer {
  const bytes: number[] = [];
  do {
    let byte = length % 128;
    length = Math.floor(length / 128);
    if (length > 0) byte |= 0x80;
    bytes.push(byte);
  } while (length > 0);
  return Buffer.from(bytes);
}
const str = (text: string): Buffer => {
  const bytes = Buffer.from(text);
  return Buffer.concat([Buffer.from([bytes.length >> 8, bytes.length & 0xff]), bytes]);
};
const packet = (first: number, body: Buffer): Buffer =>
  Buffer.concat([Buffer.from([first]), varint(body.length), body]);

function connectPacket(clientId: string, v5: boolean, flags: number, keepalive: number): Buffer {
  const header = Buffer.concat([
    str('MQTT'),
    Buffer.from([v5 ? 5 : 4, flags & 0xfe, keepalive >> 8, keepalive & 0xff]),
  ]);
  const properties = v5 ? Buffer.from([0x05, 0x11, 0x00, 0x00, 0x0e, 0x10]) : Buffer.alloc(0); // session expiry 3600
  const will =
    (flags & 0x04) !== 0
      ? Buffer.concat([v5 ? Buffer.from([0]) : Buffer.alloc(0), str('webcomm/local/chat'), str('bye')])
      : Buffer.alloc(0);
  const user = (flags & 0x80) !== 0 ? str('user') : Buffer.alloc(0);
  const pass = (flags & 0x40) !== 0 ? str('pass') : Buffer.alloc(0);
  return packet(0x10, Buffer.concat([header, properties, str(clientId), will, user, pass]));
}

const validPacket = (v5: boolean): fc.Arbitrary<Buffer> =>
  fc.oneof(
    fc
      .tuple(fc.string({ maxLength: 40 }), fc.integer({ min: 0, max: 2 }), fc.boolean())
      .map(([topic, qos, retain]) =>
        packet(
          0x30 | (qos << 1) | (retain ? 1 : 0),
          Buffer.concat([
            str(topic || 'webcomm/local/chat'),
            qos > 0 ? Buffer.from([0, 7]) : Buffer.alloc(0),
            v5 ? Buffer.from([0]) : Buffer.alloc(0),
            Buffer.from('{"x":1}'),
          ]),
        ),
      ),
    fc
      .array(
        fc.constantFrom(
          'webcomm/local/announcements',
          'webcomm/local/#',
          '#',
          '+/+',
          '$aws/events/presence/+/+',
          'webcomm/local/private/client/fuzzer',
        ),
        { minLength: 1, maxLength: 10 },
      )
      .map((filters) =>
        packet(
          0x82,
          Buffer.concat([
            Buffer.from([0, 1]),
            v5 ? Buffer.from([0]) : Buffer.alloc(0),
            ...filters.map((f) => Buffer.concat([str(f), Buffer.from([1])])),
          ]),
        ),
      ),
    fc.constant(
      packet(
        0xa2,
        Buffer.concat([
          Buffer.from([0, 2]),
          v5 ? Buffer.from([0]) : Buffer.alloc(0),
          str('webcomm/local/announcements'),
        ]),
      ),
    ),
    fc.constant(Buffer.from([0x40, 0x02, 0x00, 0x07])), // PUBACK
    fc.constant(Buffer.from([0xc0, 0x00])), // PINGREQ
    fc.constant(Buffer.from([0xe0, 0x00])), // DISCONNECT
  );

type Mutation = {
  readonly kind: 'flip' | 'insert' | 'delete' | 'truncate';
  readonly at: number;
  readonly byte: number;
};
function mutate(bytes: Buffer, mutations: readonly Mutation[]): Buffer {
  let out = Buffer.from(bytes);
  for (const { kind, at, byte } of mutations) {
    const i = out.length === 0 ? 0 : at % out.length;
    if (kind === 'flip') out[i] = (out[i] ?? 0) ^ (1 << (byte % 8));
    else if (kind === 'insert') out = Buffer.concat([out.subarray(0, i), Buffer.from([byte]), out.subarray(i)]);
    else if (kind === 'delete') out = Buffer.concat([out.subarray(0, i), out.subarray(i + 1)]);
    else out = out.subarray(0, i);
  }
  return out;
}
const mutation: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom('flip', 'insert', 'delete', 'truncate'),
  at: fc.nat(),
  byte: fc.integer({ min: 0, max: 255 }),
});

/** A session: a (usually valid) CONNECT as `clientId`, more packets, then mutations; or random bytes. */
const session = (clientId: string): fc.Arbitrary<Buffer> =>
  fc.oneof(
    fc.uint8Array({ maxLength: 1_500 }).map((bytes) => Buffer.from(bytes)),
    fc
      .tuple(fc.boolean(), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 65_535 }))
      .chain(([v5, flags, keepalive]) =>
        fc
          .tuple(fc.array(validPacket(v5), { maxLength: 8 }), fc.array(mutation, { maxLength: 4 }))
          .map(([rest, mutations]) =>
            mutate(
              Buffer.concat([connectPacket(clientId, v5, flags & 0x02 ? flags : flags | 0x02, keepalive), ...rest]),
              mutations,
            ),
          ),
      ),
    // A header declaring a random length, and less or more body than it says.
    fc
      .tuple(
        fc.integer({ min: 0, max: 15 }),
        fc.integer({ min: 0, max: 268_435_455 }),
        fc.uint8Array({ maxLength: 300 }),
      )
      .map(([type, length, body]) => Buffer.concat([Buffer.from([type << 4]), varint(length), Buffer.from(body)])),
  );

/** Splits bytes at random points. */
const chunked = (bytes: Buffer, sizes: readonly number[]): Buffer[] => {
  const chunks: Buffer[] = [];
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const size = sizes.length === 0 ? bytes.length : Math.max(1, sizes[i % sizes.length] ?? 1);
    chunks.push(bytes.subarray(at, at + size));
    at += size;
  }
  return chunks;
};

/** Sends the chunks over a socket, half-closes, resolves once the server has closed. */
function overSocket(socket: Socket, chunks: readonly Buffer[]): Promise<void> {
  return new Promise((resolve) => {
    socket.on('error', () => undefined);
    socket.once('close', () => resolve());
    socket.resume();
    const send = (): void => {
      for (const chunk of chunks) socket.write(chunk);
      socket.end();
    };
    if (socket.connecting || (socket as Socket & { encrypted?: boolean }).encrypted)
      socket.once(socket.connecting && !('encrypted' in socket) ? 'connect' : 'secureConnect', send);
    else send();
  });
}

function overWebSocket(url: string, ca: string, chunks: readonly Buffer[]): Promise<void> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, ['mqttv3.1'], { ca });
    ws.on('error', () => undefined);
    ws.once('close', () => resolve());
    ws.once('open', () => {
      for (const chunk of chunks) ws.send(chunk);
      ws.close();
    });
  });
}

let env: EmulatorUnderTest;
let wsUrl = '';
let wssUrl = '';
let identityId = '';
let certificate: Awaited<ReturnType<typeof certificateOptions>>;

beforeAll(async () => {
  env = await startEmulatorUnderTest();
  const guest = await guestCredentials(env.emulator);
  identityId = guest.identityId;
  wsUrl = await presignMqttUrl(env.emulator.endpoints.ws, guest.credentials, {
    region: env.emulator.region,
    tokenMode: 'appended',
  });
  wssUrl = await presignMqttUrl(env.emulator.endpoints.wss, guest.credentials, {
    region: env.emulator.region,
    tokenMode: 'appended',
  });
  certificate = await certificateOptions(env.emulator, 'fuzzer');
});

afterAll(async () => {
  await env.close();
});

describe('fuzz: raw bytes into every MQTT listener', () => {
  it('survives random and mutated packets, then serves a real client with its memory kept', async () => {
    const { emulator } = env;
    const listeners = [
      {
        name: 'mqtt',
        clientId: 'fuzzer',
        send: (chunks: Buffer[]) => overSocket(netConnect(emulator.endpoints.ports.mqtt, '127.0.0.1'), chunks),
      },
      {
        name: 'mqtts',
        clientId: 'fuzzer',
        send: (chunks: Buffer[]) =>
          overSocket(
            tlsConnect({
              port: emulator.endpoints.ports.mqtts,
              host: '127.0.0.1',
              servername: 'localhost',
              ca: emulator.caPem,
              cert: certificate.cert as string,
              key: certificate.key as string,
            }),
            chunks,
          ),
      },
      { name: 'ws', clientId: identityId, send: (chunks: Buffer[]) => overWebSocket(wsUrl, emulator.caPem, chunks) },
      { name: 'wss', clientId: identityId, send: (chunks: Buffer[]) => overWebSocket(wssUrl, emulator.caPem, chunks) },
    ];
    gc();
    const before = process.memoryUsage();
    let cases = 0;
    for (const listener of listeners) {
      await fc.assert(
        fc.asyncProperty(
          session(listener.clientId),
          fc.array(fc.integer({ min: 1, max: 200 }), { maxLength: 6 }),
          async (bytes, sizes) => {
            await listener.send(chunked(bytes, sizes));
            cases++;
          },
        ),
        { numRuns: RUNS },
      );
    }
    await expect.poll(() => emulator.broker.connectedClients(), { timeout: 10_000 }).toEqual([]);
    gc();
    const after = process.memoryUsage();
    const growth = after.heapUsed + after.arrayBuffers - (before.heapUsed + before.arrayBuffers);
    console.log(
      `mqtt fuzz: ${cases} connections; heap+buffers ${Math.round((before.heapUsed + before.arrayBuffers) / 2 ** 20)} -> ${Math.round((after.heapUsed + after.arrayBuffers) / 2 ** 20)} MiB, rss ${Math.round(before.rss / 2 ** 20)} -> ${Math.round(after.rss / 2 ** 20)} MiB`,
    );
    expect(cases).toBe(4 * RUNS);
    expect(growth).toBeLessThan(32 * 2 ** 20);

    // A real client still gets through, and its messages flow.
    const client = await mqttConnect(emulator.endpoints.mqtts, await certificateOptions(emulator, 'after-fuzz'));
    await client.subscribeAsync('webcomm/local/announcements');
    const message = nextMessage(client);
    await emulator.broker.publish('webcomm/local/announcements', Buffer.from('still here'));
    expect((await message).payload).toBe('still here');
    client.end(true);
  }, 240_000);
});
