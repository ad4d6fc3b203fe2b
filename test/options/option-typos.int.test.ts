/**
 * Every options entry point of every package refuses an unknown key with `INVALID_OPTION`,
 * naming the entry point, the key and the closest valid one; and every URL option is checked by
 * core's `validateUrl` (no raw `ERR_INVALID_URL`). Nothing here reaches the network: the checks
 * run before anything is opened.
 */
import {
  cognitoCredentials,
  cognitoIdentityFetchClient,
  connectToService,
  createBrowserClient,
  credentialsFromFunction,
  customAuthorizerUrl,
  presignIotUrl,
  presignUrl,
  shareConnectionAcrossTabs,
  staticCredentials,
  watchNetwork,
  WebSocketStream,
  webSocketTransport,
  type WebSocketLike,
} from '@webcomm/browser';
import {
  ERROR_CODES,
  registerClient,
  servicePublisher,
  watchContent,
  WebcommClient,
  type WebcommError,
} from '@webcomm/core';
import {
  createNodeClient,
  ensureIdentity,
  loadTlsMaterial,
  mutualTlsTransport,
  NodeClient,
  nodeWebSocketTransport,
  tcpTransport,
  type RegistrationResponse,
} from '@webcomm/node';
import { startEmulator } from '@webcomm/emulator';
import { afterAll, describe, expect, it } from 'vitest';

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };
const serviceUrl = 'http://127.0.0.1:1';
const transport = tcpTransport({ host: '127.0.0.1', port: 1 });
const client = new WebcommClient({
  transport,
  clientId: 'typos',
  channels: [{ name: 'tools', topic: 'p/d/tools', publish: 'broker' }],
});
afterAll(() => client.close());
const registration: RegistrationResponse = {
  connectionType: 'OPENSSL',
  clientId: 'c1',
  endpoint: { host: '127.0.0.1', port: 1 },
  region: 'local-1',
  channels: [],
  serviceToken: 't',
  customAuthorizer: undefined,
} as unknown as RegistrationResponse;
const fakeSocket = {} as WebSocketLike;

// [entry point, call with a typo, the message's tail]
const cases: [string, () => unknown, string][] = [
  // core
  [
    'new WebcommClient',
    () => new WebcommClient({ transport, clientId: 'a', keepAliveSeconds: 5 } as never),
    'WebcommClient: unknown option "keepAliveSeconds"; did you mean "keepaliveSeconds"?',
  ],
  [
    'new WebcommClient backoff',
    () => new WebcommClient({ transport, clientId: 'a', backoff: { initalDelayMs: 5 } } as never),
    'unknown option "backoff.initalDelayMs"; did you mean "backoff.initialDelayMs"?',
  ],
  [
    'new WebcommClient queue',
    () => new WebcommClient({ transport, clientId: 'a', queue: { maxCnt: 5 } } as never),
    'unknown option "queue.maxCnt"; did you mean "queue.maxCount"?',
  ],
  [
    'new WebcommClient limits',
    () => new WebcommClient({ transport, clientId: 'a', limits: { maxPayload: 5 } } as never),
    'unknown option "limits.maxPayload"; did you mean "limits.maxPayloadBytes"?',
  ],
  [
    'new WebcommClient channels[i]',
    () =>
      new WebcommClient({ transport, clientId: 'a', channels: [{ name: 'n', topic: 't', publsh: 'broker' }] } as never),
    'unknown option "channels[0].publsh"; did you mean "channels[0].publish"?',
  ],
  [
    'connect()',
    () => client.connect({ timeoutMS: 5 } as never),
    'connect(): unknown option "timeoutMS"; did you mean "timeoutMs"?',
  ],
  [
    'subscribe()',
    () => client.subscribe('a/b', () => undefined, { qoss: 1 } as never),
    'subscribe("a/b"): unknown option "qoss"; did you mean "qos"?',
  ],
  [
    'publish()',
    () => client.publish('tools', {}, { retained: true } as never),
    'publish("tools"): unknown option "retained"; did you mean "retain"?',
  ],
  [
    'registerClient()',
    () => registerClient({ serviceUrl, type: 'OPENSSL', clientID: 'x' } as never),
    'registerClient(): unknown option "clientID"; did you mean "clientId"?',
  ],
  [
    'servicePublisher()',
    () => servicePublisher({ serviceUrl, servicToken: 't' } as never),
    'servicePublisher(): unknown option "servicToken"; did you mean "serviceToken"?',
  ],
  [
    'watchContent()',
    () => watchContent(client, { chanel: 'x' } as never),
    'watchContent(): unknown option "chanel"; did you mean "channel"?',
  ],
  // node
  [
    'createNodeClient()',
    () => createNodeClient({ serviceUrl, publsh: { tools: 'broker' } } as never),
    'createNodeClient(): unknown option "publsh"; did you mean "publish"?',
  ],
  [
    'createNodeClient() core key',
    () => createNodeClient({ serviceUrl, keepAliveSeconds: 5 } as never),
    'createNodeClient(): unknown option "keepAliveSeconds"; did you mean "keepaliveSeconds"?',
  ],
  [
    'createNodeClient() tls',
    () => createNodeClient({ serviceUrl, tls: { alnp: 'mqtt' } } as never),
    'createNodeClient(): unknown option "tls.alnp"; did you mean "tls.alpn"?',
  ],
  [
    'createNodeClient() extraChannels',
    () => createNodeClient({ serviceUrl, extraChannels: [{ name: 'n', topik: 't' }] } as never),
    'unknown option "extraChannels[0].topik"; did you mean "extraChannels[0].topic"?',
  ],
  [
    'createNodeClient() set from registration',
    () => createNodeClient({ serviceUrl, clientId: 'mine' } as never),
    'createNodeClient(): unknown option "clientId"',
  ],
  [
    'new NodeClient',
    () =>
      new NodeClient({ serviceUrl, cachDir: '/tmp/x' } as never, { registration, fromCache: true, cacheDir: '/tmp/x' }),
    'NodeClient: unknown option "cachDir"; did you mean "cacheDir"?',
  ],
  [
    'ensureIdentity()',
    () => ensureIdentity({ serviceUrl, renwe: true } as never),
    'ensureIdentity(): unknown option "renwe"; did you mean "renew"?',
  ],
  [
    'mutualTlsTransport()',
    () => mutualTlsTransport({ host: 'h', cert: 'c', key: 'k', rejectUnauthorised: false } as never),
    'mutualTlsTransport(): unknown option "rejectUnauthorised"; did you mean "rejectUnauthorized"?',
  ],
  [
    'mutualTlsTransport() customAuthorizer',
    () => mutualTlsTransport({ host: 'h', customAuthorizer: { authorizerNme: 'a' } } as never),
    'unknown option "customAuthorizer.authorizerNme"; did you mean "customAuthorizer.authorizerName"?',
  ],
  [
    'mutualTlsTransport() customAuthorizer.token',
    () =>
      mutualTlsTransport({
        host: 'h',
        customAuthorizer: { authorizerName: 'a', token: { keyName: 'k', valeu: 'v' } },
      } as never),
    'unknown option "customAuthorizer.token.valeu"; did you mean "customAuthorizer.token.value"?',
  ],
  [
    'tcpTransport()',
    () => tcpTransport({ host: 'h', prot: 1 } as never),
    'tcpTransport(): unknown option "prot"; did you mean "port"?',
  ],
  [
    'nodeWebSocketTransport()',
    () => nodeWebSocketTransport({ endpoint: 'ws://h', auth: { type: 'none' }, cA: 'x' } as never),
    'nodeWebSocketTransport(): unknown option "cA"; did you mean "ca"?',
  ],
  [
    'loadTlsMaterial()',
    () => loadTlsMaterial({ cert: 'c', kye: 'k' } as never),
    'loadTlsMaterial(): unknown option "kye"; did you mean "key"?',
  ],
  // browser
  [
    'createBrowserClient()',
    () => createBrowserClient({ endpoint: 'ws://h', auth: { type: 'none' }, clientId: 'a', maxLinkAge: 5 } as never),
    'createBrowserClient(): unknown option "maxLinkAge"; did you mean "maxLinkAgeMs"?',
  ],
  [
    'createBrowserClient() network',
    () =>
      createBrowserClient({
        endpoint: 'ws://h',
        auth: { type: 'none' },
        clientId: 'a',
        network: { wakeCheck: 5 },
      } as never),
    'unknown option "network.wakeCheck"; did you mean "network.wakeCheckMs"?',
  ],
  [
    'createBrowserClient() auth',
    () =>
      createBrowserClient({
        endpoint: 'ws://h',
        auth: { type: 'sigv4', credentials: async () => credentials, regoin: 'x' },
        clientId: 'a',
      } as never),
    'unknown option "auth.regoin"; did you mean "auth.region"?',
  ],
  [
    'connectToService()',
    () => connectToService({ serviceUrl, publishChannel: ['chat'] } as never),
    'connectToService(): unknown option "publishChannel"; did you mean "publishChannels"?',
  ],
  [
    'webSocketTransport()',
    () => webSocketTransport({ endpoint: 'ws://h', auth: { type: 'none' }, protocol: 'mqtt' } as never),
    'webSocketTransport(): unknown option "protocol"; did you mean "protocols"?',
  ],
  [
    'webSocketTransport() auth.token',
    () =>
      webSocketTransport({
        endpoint: 'ws://h',
        auth: { type: 'custom-authorizer', authorizerName: 'a', token: { tokenKeyName: 'k', tokn: 'v' } },
      } as never),
    'unknown option "auth.token.tokn"; did you mean "auth.token.token"?',
  ],
  [
    'staticCredentials()',
    () => staticCredentials({ ...credentials, sessionTokn: 'x' } as never),
    'staticCredentials(): unknown option "sessionTokn"; did you mean "sessionToken"?',
  ],
  [
    'credentialsFromFunction()',
    () => credentialsFromFunction(() => credentials, { refreshMargin: 5 } as never),
    'credentialsFromFunction(): unknown option "refreshMargin"; did you mean "refreshMarginMs"?',
  ],
  [
    'cognitoCredentials()',
    () => cognitoCredentials({ identityPoolId: 'local-1:0f0e', storagekey: 'k' } as never),
    'cognitoCredentials(): unknown option "storagekey"; did you mean "storageKey"?',
  ],
  [
    'cognitoIdentityFetchClient()',
    () => cognitoIdentityFetchClient({ region: 'local-1', endpont: 'x' } as never),
    'cognitoIdentityFetchClient(): unknown option "endpont"; did you mean "endpoint"?',
  ],
  [
    'customAuthorizerUrl()',
    () => customAuthorizerUrl('ws://h', { authorizerName: 'a', querry: {} } as never),
    'customAuthorizerUrl(): unknown option "querry"; did you mean "query"?',
  ],
  [
    'customAuthorizerUrl() token',
    () =>
      customAuthorizerUrl('ws://h', {
        authorizerName: 'a',
        token: { tokenKeyName: 'k', token: 't', sig: 's' },
      } as never),
    'unknown option "token.sig"; did you mean "token.signature"?',
  ],
  [
    'presignUrl()',
    () => presignUrl('wss://h/mqtt', { credentials, region: 'r', service: 's', expiresIn: 5 } as never),
    'presignUrl(): unknown option "expiresIn"; did you mean "expiresInSeconds"?',
  ],
  [
    'presignIotUrl()',
    () => presignIotUrl({ endpoint: 'wss://h/mqtt', credentials, regon: 'r' } as never),
    'presignIotUrl(): unknown option "regon"; did you mean "region"?',
  ],
  [
    'watchNetwork()',
    () => watchNetwork({}, { wakeThreshold: 5 } as never),
    'watchNetwork(): unknown option "wakeThreshold"; did you mean "wakeThresholdMs"?',
  ],
  [
    'watchNetwork() hooks',
    () => watchNetwork({ onOnLine: () => undefined } as never),
    'unknown option "hooks.onOnLine"; did you mean "hooks.onOnline"?',
  ],
  [
    'shareConnectionAcrossTabs()',
    () => shareConnectionAcrossTabs(() => client, { nam: 'x' } as never),
    'shareConnectionAcrossTabs(): unknown option "nam"; did you mean "name"?',
  ],
  [
    'new WebSocketStream',
    () => new WebSocketStream(fakeSocket, { maxBuffered: 5 } as never),
    'WebSocketStream: unknown option "maxBuffered"; did you mean "maxBufferedBytes"?',
  ],
  // emulator
  [
    'startEmulator()',
    () => startEmulator({ allowAnonymus: false } as never),
    'startEmulator(): unknown option "allowAnonymus"; did you mean "allowAnonymous"?',
  ],
  [
    'startEmulator() ports',
    () => startEmulator({ ports: { mqqt: 1883 } } as never),
    'unknown option "ports.mqqt"; did you mean "ports.mqtt"?',
  ],
  [
    'startEmulator() limits',
    () => startEmulator({ limits: { maxPayloadByte: 5 } } as never),
    'unknown option "limits.maxPayloadByte"; did you mean "limits.maxPayloadBytes"?',
  ],
];

async function failure(run: () => unknown): Promise<WebcommError> {
  try {
    await run();
  } catch (error) {
    return error as WebcommError;
  }
  throw new Error('expected INVALID_OPTION, got success');
}

describe('unknown option keys', () => {
  it.each(cases)('%s refuses it and suggests the closest valid key', async (_name, run, tail) => {
    const error = await failure(run);
    expect(error.code).toBe(ERROR_CODES.INVALID_OPTION);
    expect(error.message).toContain(tail);
  });

  it('checks as many entry points as the table says', () => {
    // The figure in the report: distinct entry points (nested objects counted with their parent).
    const entryPoints = new Set(
      cases.map(([name]) => (name.startsWith('new ') ? name.split(' ').slice(0, 2).join(' ') : name.split(' ')[0])),
    );
    expect([...entryPoints]).toHaveLength(28);
  });

  it('channels as the service sent them pass as they are (the service may add fields)', () => {
    const c = new WebcommClient({
      transport,
      clientId: 'a',
      channels: [{ name: 'n', type: 'broadcast', topic: 't', clientPublish: false, futureField: 1 } as never],
    });
    expect(c.channels.get('n')?.topic).toBe('t');
  });
});

describe('URL options go through validateUrl', () => {
  const bad: [string, () => unknown, string][] = [
    [
      'createNodeClient()',
      () => createNodeClient({ serviceUrl: 'localhost:8080' }),
      'Option "serviceUrl" must be a URL starting with https:// or http:// (got "localhost:8080"); did you mean "http://localhost:8080"?',
    ],
    [
      'ensureIdentity()',
      () => ensureIdentity({ serviceUrl: 'not a url' }),
      'Option "serviceUrl" must be a URL starting with https:// or http://',
    ],
    [
      'registerClient()',
      () => registerClient({ serviceUrl: 'ftp://h', type: 'OPENSSL' }),
      '(got "ftp://h"); ftp:// is not one of them.',
    ],
    [
      'servicePublisher()',
      () => servicePublisher({ serviceUrl: 'http://h:99999', serviceToken: 't' }),
      'does not parse as a URL',
    ],
    [
      'connectToService()',
      () => connectToService({ serviceUrl: '127.0.0.1:8080' }),
      'did you mean "http://127.0.0.1:8080"?',
    ],
    [
      'webSocketTransport()',
      () => webSocketTransport({ endpoint: 'mqtt://h', auth: { type: 'none' }, WebSocket: class {} as never }),
      'Option "endpoint" must be a URL starting with wss:// or ws:// or https:// or http://',
    ],
    [
      'cognitoIdentityFetchClient()',
      () => cognitoIdentityFetchClient({ region: 'local-1', endpoint: 'cognito.local' }),
      'Option "endpoint" must be a URL starting with https:// or http://',
    ],
  ];
  it.each(bad)('%s names the option, the value and the fix', async (_name, run, text) => {
    const error = await failure(run);
    expect(error.code).toBe(ERROR_CODES.INVALID_OPTION);
    expect(error.message).toContain(text);
  });
});
