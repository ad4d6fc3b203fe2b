import { MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { isWebcommError, WebcommClient, type Transport, type TransportLink, type WebcommError } from '@webcomm/core';
import { staticCredentials } from './credentials.js';
import type { WebSocketConstructor } from './websocket-like.js';
import { webSocketTransport } from './websocket-transport.js';
import { WebSocketStream } from './websocket-stream.js';
import { startWsBroker, type WsBroker } from './ws-broker.fixture.js';

// Type-level: the DOM WebSocket and ws's both fit the injectable constructor.
const constructorsFit: [WebSocketConstructor, WebSocketConstructor] = [globalThis.WebSocket, WebSocket];
void constructorsFit;

const credentials = staticCredentials({ accessKeyId: 'AKIDTEST', secretAccessKey: 'secret', sessionToken: 'tok+en/=' });
const context = (attempt = 1) => ({ attempt, clientId: `c${attempt}`, signal: new AbortController().signal });

let cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

async function broker(options?: Parameters<typeof startWsBroker>[0]): Promise<WsBroker> {
  const b = await startWsBroker(options);
  cleanups.push(() => b.close());
  return b;
}

/** On Node the transport's stream is a {@link WebSocketStream}, a full Duplex. */
const duplex = (stream: TransportLink['stream'] | WebSocketStream): WebSocketStream => stream as WebSocketStream;

function mqttOver(stream: TransportLink['stream'], clientId = 'tester'): Promise<MqttClient> {
  const client = new MqttClient(() => duplex(stream as TransportLink['stream']), {
    reconnectPeriod: 0,
    protocolVersion: 4,
    clientId,
    keepalive: 0,
  });
  cleanups.push(() => new Promise<void>((resolve) => client.end(true, {}, () => resolve())));
  return new Promise((resolve, reject) => {
    client.once('connect', () => resolve(client));
    // Keep a listener: MQTT.js rethrows stream errors seen during teardown otherwise.
    client.on('error', reject);
  });
}

/** Publishes `count` QoS 0 messages and resolves when the same client has received them all. */
async function roundTrip(client: MqttClient, count: number, burst: boolean): Promise<string[]> {
  const received: string[] = [];
  const done = new Promise<void>((resolve) => {
    client.on('message', (_topic, payload) => {
      received.push(payload.toString());
      if (received.length === count) resolve();
    });
  });
  await client.subscribeAsync('game/news', { qos: 0 });
  for (let i = 0; i < count; i++) {
    client.publish('game/news', `m${i}`, { qos: 0 });
    // One publish per macrotask, as a game sends them; a burst stays in one tick.
    if (!burst) await new Promise((resolve) => setImmediate(resolve));
  }
  await done;
  return received;
}

function linkError(link: TransportLink): Promise<Error> {
  return new Promise((resolve) => duplex(link.stream).once('error', resolve));
}

describe('webSocketTransport over a real ws server + aedes', () => {
  it('connects with a SigV4 URL (token appended last, subprotocol mqtt); MQTT.js publishes and receives', async () => {
    const b = await broker();
    const transport = webSocketTransport({
      endpoint: b.url,
      auth: { type: 'sigv4', credentials, region: 'local-1' },
      WebSocket,
    });
    const link = await transport.open(context());
    expect(link.endpoint).toBe(`ws://127.0.0.1:${b.port}/mqtt`);
    const client = await mqttOver(link.stream);
    expect(await roundTrip(client, 20, false)).toEqual(Array.from({ length: 20 }, (_, i) => `m${i}`));
    const upgrade = b.upgrades[0];
    expect(upgrade?.protocols).toBe('mqtt');
    expect(upgrade?.url).toMatch(
      /^\/mqtt\?X-Amz-Algorithm=AWS4-HMAC-SHA256&.*&X-Amz-Signature=[0-9a-f]{64}&X-Amz-Security-Token=tok%2Ben%2F%3D$/,
    );
  });

  it('reaches a broker that serves WebSocket MQTT at "/" when the endpoint says "/" (and /mqtt when it names no path)', async () => {
    const b = await broker({ refuse: (request) => ((request.url ?? '').split('?')[0] === '/' ? undefined : 404) });
    const atRoot = webSocketTransport({
      endpoint: `${b.url}/`,
      auth: { type: 'sigv4', credentials, region: 'local-1' },
      WebSocket,
    });
    const link = await atRoot.open(context());
    expect(link.endpoint).toBe(`${b.url}/`);
    const client = await mqttOver(link.stream);
    expect(await roundTrip(client, 3, false)).toEqual(['m0', 'm1', 'm2']);
    const noPath = webSocketTransport({
      endpoint: b.url,
      auth: { type: 'sigv4', credentials, region: 'local-1' },
      WebSocket,
    });
    const refused = await noPath.open(context(2));
    expect(refused.endpoint).toBe(`${b.url}/mqtt`);
    expect((await linkError(refused)).message).toMatch(/404|upgrade|Unexpected/i);
    expect(b.upgrades.map((u) => u.url.split('?')[0])).toEqual(['/']); // only accepted upgrades are recorded
  });

  it('sends exactly one WebSocket frame per publish of our client, and coalesces a same-tick burst into fewer frames', async () => {
    const b = await broker();
    const client = new WebcommClient({
      clientId: 'ours',
      channels: [{ name: 'news', topic: 'game/news', publish: 'broker' }],
      transport: webSocketTransport({ endpoint: b.url, auth: { type: 'none' }, WebSocket }),
    });
    cleanups.push(() => client.close());
    let received = 0;
    let onReceived = (): void => undefined;
    await client.subscribe('news', () => {
      received += 1;
      onReceived();
    });
    await client.connect();
    /** Publishes 100 QoS 0 messages and counts the frames the server got until all came back. */
    const framesFor = async (send: () => Promise<void>): Promise<number> => {
      received = 0;
      b.framesIn = 0;
      const back = new Promise<void>((resolve) => (onReceived = () => void (received === 100 && resolve())));
      await send();
      await back;
      return b.framesIn;
    };
    // One publish per macrotask, as a game sends them.
    const sequential = await framesFor(async () => {
      for (let i = 0; i < 100; i++) {
        await client.publish('news', { i }, { qos: 0 });
        await new Promise((resolve) => setImmediate(resolve));
      }
    });
    expect(sequential).toBe(100);
    // Written in one tick: the stream joins them into fewer frames.
    const burst = await framesFor(() =>
      Promise.all(Array.from({ length: 100 }, (_, i) => client.publish('news', { i }, { qos: 0 }))).then(
        () => undefined,
      ),
    );
    expect(burst).toBeGreaterThan(0);
    expect(burst).toBeLessThan(50);
  });

  it('signs a fresh URL for every attempt', async () => {
    const b = await broker({ raw: true });
    let t = Date.parse('2026-11-24T18:00:00Z');
    const transport = webSocketTransport({
      endpoint: b.url,
      auth: { type: 'sigv4', credentials, region: 'local-1' },
      WebSocket,
      now: () => new Date((t += 1000)),
    });
    for (const attempt of [1, 2]) {
      const link = await transport.open(context(attempt));
      await expect.poll(() => b.upgrades.length).toBe(attempt);
      link.stream.destroy();
    }
    expect(b.upgrades[0]?.url).toContain('X-Amz-Date=20261124T180001Z');
    expect(b.upgrades[1]?.url).toContain('X-Amz-Date=20261124T180002Z');
  });

  it('puts the custom authorizer name, token and signature in the query, fresh per attempt', async () => {
    const b = await broker();
    let n = 0;
    const transport = webSocketTransport({
      endpoint: b.url,
      auth: {
        type: 'custom-authorizer',
        authorizerName: 'GameAuth',
        token: () => ({ tokenKeyName: 'gameToken', token: `t${++n}`, signature: 'c2ln+/=' }),
      },
      WebSocket,
    });
    expect(transport.name).toBe('wss-custom-auth');
    const client = await mqttOver((await transport.open(context())).stream);
    expect(await roundTrip(client, 3, false)).toHaveLength(3);
    const second = await transport.open(context(2));
    expect(b.upgrades[0]?.url).toBe(
      '/mqtt?x-amz-customauthorizer-name=GameAuth&gameToken=t1&x-amz-customauthorizer-signature=c2ln%2B%2F%3D',
    );
    await expect.poll(() => b.upgrades.length).toBe(2);
    second.stream.destroy();
    expect(b.upgrades[1]?.url).toContain('gameToken=t2');
  });
});

describe('webSocketTransport failures, classified', () => {
  const classify = (transport: Transport, error: Error): WebcommError | undefined => transport.classifyError?.(error);

  it('a refused upgrade (403) becomes a fatal NOT_AUTHORIZED when the runtime shows the status', async () => {
    const b = await broker({ refuse: () => 403 });
    const transport = webSocketTransport({
      endpoint: b.url,
      auth: { type: 'sigv4', credentials, region: 'local-1' },
      WebSocket,
    });
    const error = await linkError(await transport.open(context()));
    const typed = classify(transport, error);
    expect(typed?.code).toBe('WEBCOMM_NOT_AUTHORIZED');
    expect(typed?.fatal).toBe(true);
  });

  it('a 401 becomes a fatal BAD_CREDENTIALS', async () => {
    const b = await broker({ refuse: () => 401 });
    const transport = webSocketTransport({ endpoint: b.url, auth: { type: 'none' }, WebSocket });
    const typed = classify(transport, await linkError(await transport.open(context())));
    expect([typed?.code, typed?.fatal]).toEqual(['WEBCOMM_BAD_CREDENTIALS', true]);
  });

  it('nothing listening becomes a transient NETWORK error', async () => {
    const b = await startWsBroker({ raw: true });
    await b.close();
    const transport = webSocketTransport({ endpoint: b.url, auth: { type: 'none' }, WebSocket });
    const typed = classify(transport, await linkError(await transport.open(context())));
    expect([typed?.code, typed?.fatal]).toEqual(['WEBCOMM_NETWORK', false]);
  });

  it('a dropped connection is NETWORK, a 4403 close NOT_AUTHORIZED, a text frame PROTOCOL', async () => {
    const behaviours: ((socket: WebSocket) => void)[] = [
      (s) => s.terminate(),
      (s) => s.close(4403, 'banned'),
      (s) => s.send('text'),
    ];
    const expected = [
      ['WEBCOMM_NETWORK', false],
      ['WEBCOMM_NOT_AUTHORIZED', true],
      ['WEBCOMM_PROTOCOL', false],
    ];
    for (const [i, behave] of behaviours.entries()) {
      const b = await broker({ raw: true, onSocket: (s) => setImmediate(() => behave(s)) });
      const transport = webSocketTransport({ endpoint: b.url, auth: { type: 'none' }, WebSocket });
      const typed = classify(transport, await linkError(await transport.open(context())));
      expect([typed?.code, typed?.fatal]).toEqual(expected[i]);
    }
  });

  it('a normal close ends the stream without an error', async () => {
    const b = await broker({ raw: true, onSocket: (s) => setImmediate(() => s.close(1000)) });
    const transport = webSocketTransport({ endpoint: b.url, auth: { type: 'none' }, WebSocket });
    const link = await transport.open(context());
    let errored = false;
    link.stream.on('error', () => (errored = true));
    duplex(link.stream).resume();
    await new Promise((resolve) => duplex(link.stream).once('close', resolve));
    expect(errored).toBe(false);
  });

  it('refuses to sign with credentials that have already expired, saying so', async () => {
    const transport = webSocketTransport({
      endpoint: 'ws://127.0.0.1:1',
      WebSocket,
      auth: {
        type: 'sigv4',
        region: 'local-1',
        credentials: staticCredentials({
          accessKeyId: 'A',
          secretAccessKey: 's',
          expiration: new Date('2020-01-01T00:00:00Z'),
        }),
      },
    });
    const error = await transport.open(context()).catch((e: unknown) => e);
    expect(isWebcommError(error, 'WEBCOMM_BAD_CREDENTIALS')).toBe(true);
    expect((error as Error).message).toContain('expired at 2020-01-01T00:00:00.000Z');
  });

  it('can be destroyed while still connecting, without an uncaught error', async () => {
    const b = await broker({ raw: true });
    const sockets: WebSocket[] = [];
    // A real ws socket that the test can watch: ws emits its handshake-abort error just before 'close'.
    class Watched extends WebSocket {
      constructor(url: string, protocols?: string | string[]) {
        super(url, protocols);
        sockets.push(this);
      }
    }
    const transport = webSocketTransport({ endpoint: b.url, auth: { type: 'none' }, WebSocket: Watched });
    for (let i = 0; i < 5; i++) {
      const { stream } = await transport.open(context(i + 1));
      stream.destroy();
    }
    await Promise.all(
      sockets.map((s) => (s.readyState === WebSocket.CLOSED ? undefined : new Promise((r) => s.once('close', r)))),
    );
    expect(sockets).toHaveLength(5);
  });

  it('rejects an abandoned attempt with ABORTED and names a missing WebSocket', async () => {
    const transport = webSocketTransport({ endpoint: 'ws://127.0.0.1:1', auth: { type: 'none' }, WebSocket });
    const controller = new AbortController();
    controller.abort();
    const error = await transport
      .open({ attempt: 1, clientId: 'x', signal: controller.signal })
      .catch((e: unknown) => e);
    expect(isWebcommError(error, 'WEBCOMM_ABORTED')).toBe(true);
    // A runtime without a global WebSocket (Node 20; Node 22+ has one): hide it for this check.
    const global = globalThis as { WebSocket?: unknown };
    const saved = global.WebSocket;
    delete global.WebSocket;
    try {
      expect(() => webSocketTransport({ endpoint: 'h', auth: { type: 'none' } })).toThrow(/pass options.WebSocket/);
    } finally {
      if (saved !== undefined) global.WebSocket = saved;
    }
  });
});

describe('WebSocketStream backpressure', () => {
  it('write() returns false while bufferedAmount is high, then drains, delivering every byte once', async () => {
    type Paused = { _socket: { pause(): void; resume(): void } };
    let serverSocket: Paused | undefined;
    const b = await broker({
      raw: true,
      onSocket: (s) => {
        serverSocket = s as unknown as Paused;
        serverSocket._socket.pause();
      },
    });
    const transport = webSocketTransport({
      endpoint: b.url,
      auth: { type: 'none' },
      WebSocket,
      maxBufferedBytes: 64 * 1024,
    });
    const { stream } = await transport.open(context());
    stream.on('error', (e) => expect.fail(String(e)));
    await expect.poll(() => serverSocket).toBeDefined();
    const chunk = Buffer.alloc(256 * 1024, 7);
    let written = 0;
    while (stream.write(chunk)) {
      written += chunk.length;
      await new Promise((resolve) => setImmediate(resolve));
      expect(written).toBeLessThan(256 * 1024 * 1024); // the kernel buffer is far smaller
    }
    written += chunk.length;
    const drained = new Promise((resolve) => duplex(stream).once('drain', resolve));
    serverSocket?._socket.resume();
    await drained;
    await expect.poll(() => b.bytesIn, { timeout: 10_000 }).toBe(written);
    stream.destroy();
  });
});

describe('WebSocketStream frames in', () => {
  it("takes ws's own Buffers ('nodebuffer': no copy per frame) and falls back to 'arraybuffer' where that value is unknown", async () => {
    const b = await broker({ raw: true, onSocket: (socket) => socket.send(Buffer.from([0x20, 0x02, 0x00, 0x00])) });
    const socket = new WebSocket(`${b.url}/mqtt`, 'mqtt');
    const stream = new WebSocketStream(socket);
    cleanups.push(() => void stream.destroy());
    expect(socket.binaryType).toBe('nodebuffer');
    const chunk = await new Promise<Uint8Array>((resolve) => stream.once('data', resolve));
    expect(Buffer.isBuffer(chunk)).toBe(true);
    expect([...chunk]).toEqual([0x20, 0x02, 0x00, 0x00]);

    // A browser's WebSocket keeps its binaryType when given a value it does not know.
    const browserLike = {
      binaryType: 'blob',
      bufferedAmount: 0,
      readyState: 0,
      send: () => undefined,
      close: () => undefined,
      addEventListener: () => undefined,
      removeEventListener: () => undefined,
    };
    Object.defineProperty(browserLike, 'binaryType', {
      get: () => kind,
      set: (value: string) => void (['blob', 'arraybuffer'].includes(value) && (kind = value)),
    });
    let kind = 'blob';
    new WebSocketStream(browserLike).destroy();
    expect(kind).toBe('arraybuffer');
  });
});
