/**
 * End to end, offline (issue 17, item 4): the service's Lambda handler, called with API Gateway
 * HTTP API events as Lambda calls it, over the AWS adapters (users and tokens in DynamoDB on
 * dynalite; publish and DeleteConnection through the real IoT data plane SDK against the
 * emulator), with the emulator as the broker and Cognito. A browser-style client
 * (`connectToService`) registers, connects, receives a backend's sendBroadcast, is banned and
 * dropped, and is refused when it reconnects (it learns BANNED from GET /status); a service
 * publish carries a fresh `webcomm-message-id` to MQTT 5 clients (issue 25). Each step's time is
 * printed.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IoTDataPlaneClient } from '@aws-sdk/client-iot-data-plane';
import {
  connectToService,
  memoryStorage,
  ERROR_CODES,
  stampedMessageId,
  type ServiceConnection,
  type StateChange,
} from '@webcomm/browser';
import {
  channelDirectory,
  createBackend,
  createServiceHandler,
  DataPlaneBrokerAdmin,
  DataPlanePublisher,
  DynamoUserStore,
  type HttpApiHandler,
} from '@webcomm/aws-service';
import { silentLogger, startEmulator, type RunningEmulator } from '@webcomm/emulator';
import { certificateLogin, connect, end, nextMessage, subscribe } from '@webcomm/emulator/testing';
import { DEFAULT_CHANNELS } from '@webcomm/service';
import type { IPublishPacket } from 'mqtt';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDynaliteTable, type DynaliteTable } from '../../packages/aws-service/src/testing/dynalite-table.js';
import { nextEvent } from '../helpers/events.js';
import { adminEvent, startHttpApiGateway, type HttpApiGateway } from '../helpers/http-api-gateway.js';

let dataDir: string;
let emulator: RunningEmulator;
let db: DynaliteTable;
let gateway: HttpApiGateway;
let handler: HttpApiHandler;
let dataPlane: IoTDataPlaneClient;
let connection: ServiceConnection | undefined;
const timings: [step: string, ms: number][] = [];

async function step<T>(name: string, run: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const value = await run();
  timings.push([name, Math.round(performance.now() - started)]);
  return value;
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'webcomm-aws-e2e-'));
  emulator = await startEmulator({ dataDir, logger: silentLogger });
  db = await startDynaliteTable();
  dataPlane = new IoTDataPlaneClient({
    endpoint: emulator.endpoints.iotData,
    region: emulator.region,
    credentials: emulator.backendCredentials,
    maxAttempts: 1,
  });
  const users = new DynamoUserStore(db.client, db.tableName);
  handler = createServiceHandler({
    users,
    tokens: users,
    channels: channelDirectory(DEFAULT_CHANNELS),
    // The emulator plays Cognito and the certificate authority (no offline Cognito has developer identities).
    identities: emulator.identities,
    certificates: emulator.ca,
    broker: new DataPlaneBrokerAdmin(dataPlane),
    publisher: new DataPlanePublisher(dataPlane),
    endpoints: {
      websocket: { host: emulator.endpoints.host, port: emulator.endpoints.ports.http, url: emulator.endpoints.ws },
      mutualTls: { host: emulator.endpoints.host, port: emulator.endpoints.ports.mqtts },
      cognito: emulator.endpoints.cognito,
    },
  });
  gateway = await startHttpApiGateway(handler);
}, 60_000);

afterAll(async () => {
  await connection?.client.close();
  dataPlane?.destroy();
  await gateway?.close();
  await db?.close();
  await emulator?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
  console.log(`aws-service e2e step timings (ms): ${JSON.stringify(Object.fromEntries(timings))}`);
});

describe('the service on its AWS adapters, end to end (offline)', () => {
  it(
    'register, connect, receive a backend broadcast, get banned and dropped, be refused on reconnect',
    { timeout: 60_000 },
    async () => {
      const c = await step('register (POST /register via the handler)', () =>
        connectToService({ serviceUrl: gateway.url, storage: memoryStorage(), WebSocket }),
      );
      connection = c;
      const { clientId } = c.registration;
      expect(c.registration.channels.map((ch) => ch.name)).toContain('announcements');
      const stored = await new DynamoUserStore(db.client, db.tableName).get(clientId);
      expect(stored).toMatchObject({ id: clientId, kind: 'WEBSOCKET', status: 'active' });

      const got: unknown[] = [];
      await c.client.subscribe('announcements', (message) => void got.push(message));
      await step('connect (Cognito credentials, SigV4 WebSocket, CONNACK, SUBACK)', () => c.client.connect());

      const backend = createBackend({
        endpoint: emulator.endpoints.iotData,
        region: emulator.region,
        credentials: emulator.backendCredentials,
        channels: DEFAULT_CHANNELS,
      });
      await step('backend sendBroadcast → client handler', async () => {
        const arrived = nextEvent(c.client, 'message');
        await backend.sendBroadcast('announcements', { motd: 'server restart at 02:00' });
        await arrived;
      });
      backend.close();
      expect(got).toEqual([{ motd: 'server restart at 02:00' }]);

      const states: StateChange[] = [];
      c.client.on('state', (change) => states.push(change));
      const failed = nextEvent(c.client, 'state', (change) => change.to === 'failed');
      const ban = await step('ban (PUT /admin/users/:id/status via the handler, IAM caller)', () =>
        handler(adminEvent('PUT', `/admin/users/${encodeURIComponent(clientId)}/status`, { status: 'banned' })),
      );
      expect(ban.statusCode).toBe(200);
      expect(JSON.parse(ban.body)).toMatchObject({ user: { id: clientId, status: 'banned' }, disconnected: 1 });
      const [change] = await step('dropped, reconnect refused, BANNED from GET /status', () => failed);
      expect(change.error?.code).toBe(ERROR_CODES.BANNED);
      expect(states.map((s) => `${s.from}>${s.to}`)).toEqual(['connected>reconnecting', 'reconnecting>failed']);
      expect(emulator.broker.connectedClients()).not.toContain(clientId);
      // Registration is refused as well (the same identity, with its service token).
      const again = await fetch(`${gateway.url}/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${c.registration.serviceToken}` },
        body: JSON.stringify({ type: 'WEBSOCKET', clientId }),
      });
      expect(again.status).toBe(403);
      expect(((await again.json()) as { error: { code: string } }).error.code).toBe('BANNED');
      // The admin routes are the operator's: API Gateway refuses them unsigned, the handler refuses them without an IAM caller.
      expect((await fetch(`${gateway.url}/admin/users`)).status).toBe(403);
    },
  );

  it('publishes through the data plane with a fresh webcomm-message-id an MQTT 5 client receives', async () => {
    const login = await certificateLogin(emulator, 'stamp-listener');
    const listener = await connect(login.url, { ...login.options, protocolVersion: 5 });
    try {
      await subscribe(listener, 'webcomm/local/announcements');
      const ids: (string | undefined)[] = [];
      for (const round of [1, 2]) {
        const arrived = nextMessage(listener);
        const answer = await handler(
          adminEvent('POST', '/admin/publish', { channel: 'announcements', message: { round } }),
        );
        expect(answer.statusCode).toBe(200);
        ids.push(stampedMessageId((await arrived).packet as IPublishPacket));
      }
      expect(ids.every((id) => typeof id === 'string' && id.length >= 16)).toBe(true);
      expect(ids[0]).not.toBe(ids[1]);
    } finally {
      await end(listener);
    }
  });

  it('the admin API lists users from DynamoDB and an unknown route is 404', async () => {
    const list = await handler(adminEvent('GET', '/admin/users?limit=10'));
    expect(list.statusCode).toBe(200);
    expect((JSON.parse(list.body) as { total: number }).total).toBeGreaterThanOrEqual(1);
    expect((await handler(adminEvent('GET', '/nope'))).statusCode).toBe(404);
    const noIam = await handler({
      ...adminEvent('GET', '/admin/users'),
      requestContext: { http: { method: 'GET', path: '/admin/users', sourceIp: '127.0.0.1' } },
    });
    expect(noIam.statusCode).toBe(401);
  });
});
