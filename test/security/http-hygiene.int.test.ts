/**
 * Issue 13 item 8: HTTP hygiene. A 10 MB body gets its documented 413 (not ECONNRESET);
 * authentication comes before path parameters are parsed (`%ZZ` without a token is 401, not
 * 500); `//` and bad escapes are 400; 60,000-deep JSON is 400, not a stack overflow; control
 * characters in client ids cannot forge log lines; `X-Amz-Expires` is held to SigV4's week.
 */
import { createHash, createHmac } from 'node:crypto';
import {
  CognitoIdentityClient,
  GetCredentialsForIdentityCommand,
  GetIdCommand,
} from '@aws-sdk/client-cognito-identity';
import mqtt from 'mqtt';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawExchange, statusOf } from '../helpers/raw-http.js';
import { callApi, startDefaultEmulator, type SecurityEmulator } from '../helpers/security-emulator.js';

let running: SecurityEmulator;
beforeAll(async () => {
  running = await startDefaultEmulator();
});
afterAll(async () => {
  await running.close();
});

const TEN_MB = Buffer.alloc(10 * 1_048_576, 0x20);
const DEEP = '['.repeat(60_000) + ']'.repeat(60_000);

async function post(
  path: string,
  body: BodyInit,
  headers: Record<string, string> = {},
): Promise<{ status: number; text: string }> {
  const response = await fetch(`${running.emulator.endpoints.http}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
    ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
  } as RequestInit);
  return { status: response.status, text: await response.text() };
}

const admin = (): Record<string, string> => ({ authorization: `Bearer ${running.emulator.adminToken}` });
const cognito = { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSCognitoIdentityService.GetId' };

describe('HTTP hygiene', () => {
  it('answers a 10 MB body with 413 PAYLOAD_TOO_LARGE, with Content-Length or chunked, and keeps serving', async () => {
    const player = await callApi(running.emulator, '/register', { body: { type: 'WEBSOCKET' } });
    const client = { authorization: `Bearer ${String(player.body.serviceToken)}` };
    for (const [path, headers] of [
      ['/register', {}],
      ['/admin/publish', admin()],
      ['/publish', client],
      ['/cognito', cognito],
    ] as const) {
      const sized = await post(path, TEN_MB, headers);
      expect([path, sized.status], sized.text).toEqual([path, 413]);
      expect(sized.text).toMatch(path === '/cognito' ? /SerializationException/ : /PAYLOAD_TOO_LARGE/);
    }
    let sent = 0;
    const chunked = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= TEN_MB.length) return controller.close();
        controller.enqueue(TEN_MB.subarray(sent, sent + 65_536));
        sent += 65_536;
      },
    });
    const streamed = await post('/register', chunked);
    expect(streamed.status).toBe(413);
    expect(JSON.parse(streamed.text)).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE' } });
    expect((await callApi(running.emulator, '/register', { body: { type: 'WEBSOCKET' } })).status).toBe(200);
  });

  it('checks the admin token before parsing path parameters: %ZZ is 401 without it, 400 BAD_PATH with it', async () => {
    const anonymous = await callApi(running.emulator, '/admin/users/%ZZ/status', {
      method: 'PUT',
      body: { status: 'banned' },
    });
    expect([anonymous.status, anonymous.body.error?.code]).toEqual([401, 'ADMIN_TOKEN_REQUIRED']);
    const operator = await callApi(running.emulator, '/admin/users/%ZZ/status', {
      method: 'PUT',
      token: running.emulator.adminToken,
      body: { status: 'banned' },
    });
    expect([operator.status, operator.body.error?.code]).toEqual([400, 'BAD_PATH']);
  });

  it('answers 400 BAD_PATH to // and other malformed targets', async () => {
    for (const target of ['//', '//admin/users', '/admin//users', '/./register', '*']) {
      const answer = await rawExchange(
        { port: running.emulator.endpoints.ports.http },
        `GET ${target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`,
      );
      expect([target, statusOf(answer)]).toEqual([target, 400]);
      expect(answer).toContain('"BAD_PATH"');
    }
  });

  it('answers 400 JSON_TOO_DEEP to 60,000-deep JSON on every route that reads JSON', async () => {
    const player = await callApi(running.emulator, '/register', { body: { type: 'WEBSOCKET' } });
    const client = { authorization: `Bearer ${String(player.body.serviceToken)}` };
    // /register reads at most 16 KiB: 5,000 levels fit in that.
    const registerDeep = '['.repeat(5_000) + ']'.repeat(5_000);
    for (const [path, headers, deep] of [
      ['/register', {}, registerDeep],
      ['/admin/publish', admin(), DEEP],
      ['/publish', client, DEEP],
    ] as const) {
      const answer = await post(path, `{"type":"WEBSOCKET","channel":"chat","message":${deep}}`, headers);
      expect([path, answer.status]).toEqual([path, 400]);
      expect(JSON.parse(answer.text)).toMatchObject({ error: { code: 'JSON_TOO_DEEP' } });
    }
    const aws = await post('/cognito', `{"IdentityPoolId":${'['.repeat(20_000)}${']'.repeat(20_000)}}`, cognito);
    expect([aws.status, JSON.parse(aws.text).__type]).toEqual([400, 'SerializationException']);
  });

  it('escapes control characters in log lines: a client id with a newline cannot forge a line', async () => {
    const forged = 'evil\n[webcomm-emulator] error: forged line\u001b[2J';
    const client = mqtt.connect(running.emulator.endpoints.mqtt, {
      clientId: forged,
      reconnectPeriod: 0,
      connectTimeout: 5_000,
    });
    await new Promise<void>((resolve) => {
      client.once('connect', () => resolve());
      client.once('error', () => resolve());
      client.once('close', () => resolve());
    });
    client.end(true);
    const ws = new WebSocket(
      `${running.emulator.endpoints.ws}?x-amz-customauthorizer-name=%0A%5Bwebcomm-emulator%5D%20forged&token=x`,
      ['mqtt'],
    );
    await new Promise<void>((resolve) => {
      ws.on('unexpected-response', () => resolve());
      ws.on('error', () => resolve());
      ws.on('open', () => resolve());
    });
    ws.terminate();
    await expect.poll(() => running.logs.filter((line) => line.includes('forged')).length).toBeGreaterThanOrEqual(2);
    // eslint-disable-next-line no-control-regex -- no raw control character may reach a log line
    for (const line of running.logs) expect(line).not.toMatch(/[\u0000-\u001f\u007f]/);
    expect(running.logs.some((line) => line.includes('evil\\n[webcomm-emulator] error: forged line\\u001b[2J'))).toBe(
      true,
    );
  });

  it('refuses a presigned URL with X-Amz-Expires over 604,800 s (SigV4 limit) and accepts 604,800', async () => {
    const { emulator } = running;
    const sdk = new CognitoIdentityClient({ region: emulator.region, endpoint: emulator.endpoints.cognito });
    const { IdentityId } = await sdk.send(new GetIdCommand({ IdentityPoolId: emulator.identityPoolId }));
    const { Credentials } = await sdk.send(new GetCredentialsForIdentityCommand({ IdentityId }));
    sdk.destroy();
    const credentials = {
      accessKeyId: Credentials?.AccessKeyId ?? '',
      secretAccessKey: Credentials?.SecretKey ?? '',
      sessionToken: Credentials?.SessionToken ?? '',
    };
    const outcome = (url: string): Promise<string> =>
      new Promise((resolve) => {
        const socket = new WebSocket(url, ['mqtt']);
        socket.on('open', () => {
          socket.terminate();
          resolve('open');
        });
        socket.on('unexpected-response', (_request, response) => resolve(`refused ${response.statusCode ?? 0}`));
        socket.on('error', (error) => resolve(`error ${error.message}`));
      });
    const earlier = running.refusals.length;
    expect(await outcome(presign(emulator.endpoints.ws, emulator.region, credentials, 604_800))).toBe('open');
    expect(await outcome(presign(emulator.endpoints.ws, emulator.region, credentials, 604_801))).toBe('refused 403');
    expect(running.refusals.slice(earlier).map((r) => `${r.action} ${r.status ?? '?'} ${r.reason}`)).toEqual([
      'upgrade 403 malformed-query',
    ]);
  });
});

/** RFC 3986 encoding, as SigV4 canonicalises. */
const encode = (value: string): string =>
  encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/**
 * A SigV4-presigned IoT WebSocket URL signed by hand (smithy's `presign` refuses more than a
 * week, which is the point of this test), session token appended after signing as IoT SDKs do.
 */
function presign(
  wsUrl: string,
  region: string,
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken: string },
  expires: number,
): string {
  const url = new URL(wsUrl);
  const amzDate = new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  const day = amzDate.slice(0, 8);
  const scope = `${day}/${region}/iotdevicegateway/aws4_request`;
  const query: [string, string][] = [
    ['X-Amz-Algorithm', 'AWS4-HMAC-SHA256'],
    ['X-Amz-Credential', `${credentials.accessKeyId}/${scope}`],
    ['X-Amz-Date', amzDate],
    ['X-Amz-Expires', String(expires)],
    ['X-Amz-SignedHeaders', 'host'],
  ];
  const canonicalQuery = query
    .map(([k, v]) => `${encode(k)}=${encode(v)}`)
    .sort()
    .join('&');
  const canonical = [
    'GET',
    url.pathname,
    canonicalQuery,
    `host:${url.host}`,
    '',
    'host',
    createHash('sha256').update('').digest('hex'),
  ].join('\n');
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, createHash('sha256').update(canonical).digest('hex')].join(
    '\n',
  );
  const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data).digest();
  const signingKey = hmac(
    hmac(hmac(hmac(`AWS4${credentials.secretAccessKey}`, day), region), 'iotdevicegateway'),
    'aws4_request',
  );
  const signature = createHmac('sha256', signingKey).update(stringToSign).digest('hex');
  return `${url.origin}${url.pathname}?${canonicalQuery}&X-Amz-Signature=${signature}&X-Amz-Security-Token=${encode(credentials.sessionToken)}`;
}
