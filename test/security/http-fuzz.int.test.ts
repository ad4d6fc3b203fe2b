/**
 * fast-check fuzzing of every HTTP route (issue 13): random methods, paths (route templates with
 * random, percent-garbled and dot segments), queries, tokens, content types, Cognito targets and
 * bodies (JSON values, plausible fields, deep nesting, garbage) against the http and https
 * listeners of a default emulator. No answer may be a 5xx, every error answer is JSON with a code,
 * no handler may fail (no `http …` error line), and the emulator serves normally afterwards.
 */
import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callApi, startDefaultEmulator, type SecurityEmulator } from '../helpers/security-emulator.js';

let running: SecurityEmulator;
let serviceToken = '';
beforeAll(async () => {
  running = await startDefaultEmulator();
  serviceToken = String(
    (await callApi(running.emulator, '/register', { body: { type: 'WEBSOCKET' } })).body.serviceToken,
  );
});
afterAll(async () => {
  await running.close();
});

interface Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** Sends one request; a streaming answer (the portal's live tail) is cut after its headers. */
function send(
  secure: boolean,
  method: string,
  path: string,
  headers: Record<string, string>,
  body: Buffer | undefined,
): Promise<Answer> {
  const { ports } = running.emulator.endpoints;
  return new Promise((resolve, reject) => {
    const options = {
      host: '127.0.0.1',
      port: secure ? ports.https : ports.http,
      method,
      path,
      headers: { ...headers, connection: 'close' },
    };
    const onResponse = (response: IncomingMessage): void => {
      if (String(response.headers['content-type']).includes('ndjson')) {
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: '' });
        response.destroy();
        return;
      }
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
      response.on('error', reject);
    };
    const request = secure
      ? httpsRequest({ ...options, ca: running.emulator.caPem, servername: 'localhost' }, onResponse)
      : httpRequest(options, onResponse);
    request.on('error', reject);
    request.end(body);
  });
}

const segment = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .string({ maxLength: 12 })
      .filter((text) => text !== '' && text !== '.' && text !== '..')
      .map(encodeURIComponent),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '%ZZ',
      '%',
      '%00',
      '%2F',
      '..',
      '.',
      '',
      'x%E0%A4%A',
      'local-1:00000000-0000-0000-0000-000000000000',
      '%0Aforged',
    ),
  },
);
/** The route table's method and path pairs (most requests), and anything else (the rest). */
const ROUTES: [string, string][] = [
  ['POST', '/register'],
  ['GET', '/channels'],
  ['POST', '/publish'],
  ['GET', '/status'],
  ['GET', '/admin/users'],
  ['PUT', '/admin/users/{}/status'],
  ['PUT', '/admin/users/{}/publish'],
  ['POST', '/admin/publish'],
  ['GET', '/admin/channels'],
  ['GET', '/admin/clients'],
  ['DELETE', '/admin/connections/{}'],
  ['GET', '/admin/tail'],
  ['GET', '/portal'],
  ['POST', '/cognito'],
  ['POST', '/cognito/'],
  ['GET', '/mqtt'],
];
const route = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...ROUTES) },
  {
    weight: 1,
    arbitrary: fc.tuple(
      fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'HEAD'),
      fc.constantFrom(...ROUTES.map(([, p]) => p), '/{}', '/{}/{}'),
    ),
  },
);
const target = fc
  .tuple(
    route,
    segment,
    segment,
    fc.option(fc.webQueryParameters(), { nil: undefined }),
    fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
  )
  .map(([[method, template], a, b, query, doubled]) => {
    const filled = template.replace('{}', a).replace('{}', b);
    return { method, path: `${doubled ? `/${filled}` : filled}${query === undefined ? '' : `?${query}`}` };
  });

const plausible = fc.record(
  {
    type: fc.oneof(fc.constantFrom('WEBSOCKET', 'OPENSSL'), fc.jsonValue()),
    clientId: fc.oneof(fc.string(), fc.jsonValue(), fc.constant('local-1:race')),
    channel: fc.oneof(fc.constantFrom('chat', 'announcements', 'private', 'tools', 'content-updates'), fc.string()),
    message: fc.jsonValue({ maxDepth: 4 }),
    status: fc.oneof(fc.constantFrom('active', 'banned'), fc.jsonValue()),
    channels: fc.oneof(fc.array(fc.constantFrom('tools', 'chat', 'nope')), fc.jsonValue()),
    publish: fc.oneof(fc.array(fc.constantFrom('tools', 'chat')), fc.jsonValue()),
    retain: fc.jsonValue(),
    IdentityPoolId: fc.oneof(fc.constant('local-1:00000000-0000-4000-8000-00000000e1e1'), fc.jsonValue()),
    IdentityId: fc.oneof(fc.string(), fc.jsonValue()),
    Logins: fc.oneof(fc.dictionary(fc.string({ maxLength: 40 }), fc.string()), fc.jsonValue()),
  },
  { requiredKeys: [] },
);
const body = fc.oneof(
  { weight: 4, arbitrary: plausible.map((value) => Buffer.from(JSON.stringify(value))) },
  { weight: 2, arbitrary: fc.json().map((text) => Buffer.from(text)) },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: 60, max: 20_000 })
      .map((depth) => Buffer.from(`{"message":${'['.repeat(depth)}${']'.repeat(depth)}}`)),
  },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 512 }).map((bytes) => Buffer.from(bytes)) },
  { weight: 1, arbitrary: fc.constant(undefined) },
);
const request = fc.record({
  secure: fc.boolean(),
  target,
  auth: fc.constantFrom('none', 'admin', 'service', 'garbage'),
  contentType: fc.constantFrom(
    undefined,
    'application/json',
    'application/x-amz-json-1.1',
    'text/plain',
    'application/json; charset=utf-8',
    'multipart/form-data',
  ),
  amzTarget: fc.option(
    fc.constantFrom(
      'AWSCognitoIdentityService.GetId',
      'AWSCognitoIdentityService.GetCredentialsForIdentity',
      'AWSCognitoIdentityService.Nope',
      'x',
    ),
    { nil: undefined },
  ),
  body,
});

describe('fuzzing the HTTP routes (fast-check)', () => {
  it('no request gets a 5xx or breaks a handler, error answers are JSON with a code, and the emulator keeps serving', async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(request, async (input) => {
        const headers: Record<string, string> = {};
        if (input.contentType !== undefined) headers['content-type'] = input.contentType;
        if (input.amzTarget !== undefined) headers['x-amz-target'] = input.amzTarget;
        const bearer = {
          none: undefined,
          admin: running.emulator.adminToken,
          service: serviceToken,
          garbage: 'x'.repeat(40),
        }[input.auth];
        if (bearer !== undefined) headers.authorization = `Bearer ${bearer}`;
        const { method, path } = input.target;
        const sent = method === 'GET' || method === 'HEAD' ? undefined : input.body;
        const answer = await send(input.secure, method, path, headers, sent);
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
        expect(answer.status, `${method} ${path} → ${answer.body.slice(0, 200)}`).toBeLessThan(500);
        if (answer.status >= 400 && method !== 'HEAD' && answer.body !== '') {
          const parsed = JSON.parse(answer.body) as { error?: { code?: unknown }; message?: unknown; __type?: unknown };
          expect(typeof (parsed.error?.code ?? parsed.__type ?? parsed.message), `${method} ${path}`).toBe('string');
        }
      }),
      { numRuns: 400 },
    );
    console.info(`http fuzz: statuses ${JSON.stringify(Object.fromEntries([...statuses].sort(([a], [b]) => a - b)))}`);
    expect(
      running.logs.filter(
        (line) => /^http \w+ .*: /.test(line) || (line.includes('upgrade') && line.includes('failed')),
      ),
    ).toEqual([]);
    expect((await fetch(`${running.emulator.endpoints.http}/portal`)).status).toBe(200);
    expect(
      (await callApi(running.emulator, '/register', { token: running.emulator.adminToken, body: { type: 'OPENSSL' } }))
        .status,
    ).toBe(200);
  }, 180_000);
});
