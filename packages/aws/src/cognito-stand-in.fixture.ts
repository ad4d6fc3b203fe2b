/**
 * Test fixture: a stand-in for AWS Cognito Identity (not for our code) on 127.0.0.1, port 0,
 * speaking the two JSON-protocol calls (`X-Amz-Target: AWSCognitoIdentityService.GetId` /
 * `.GetCredentialsForIdentity`, `application/x-amz-json-1.1`). Add calls as tests need them.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CognitoStandIn {
  readonly endpoint: string;
  /** Every call: target action and parsed body. */
  readonly calls: { action: string; body: Record<string, unknown> }[];
  /** Identities the pool knows. */
  readonly identities: Set<string>;
  allowGuests: boolean;
  /** Answer the next N calls with HTTP 500. */
  failNext: number;
  /** Lifetime of issued credentials in seconds. */
  lifetimeSeconds: number;
  close(): Promise<void>;
}

const POOL = 'eu-west-1:11111111-2222-3333-4444-555555555555';
export const STAND_IN_POOL_ID = POOL;

async function readBody(request: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of request) text += String(chunk);
  return text;
}

export async function startCognitoStandIn(): Promise<CognitoStandIn> {
  let issued = 0;
  const state: Omit<CognitoStandIn, 'endpoint' | 'close'> = {
    calls: [],
    identities: new Set(),
    allowGuests: true,
    failNext: 0,
    lifetimeSeconds: 3600,
  };
  const server = createServer((request, response) => {
    void readBody(request).then((text) => {
      const action = String(request.headers['x-amz-target'] ?? '').replace('AWSCognitoIdentityService.', '');
      const body = JSON.parse(text || '{}') as Record<string, unknown>;
      state.calls.push({ action, body });
      const reply = (status: number, json: object): void => {
        response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify(json));
      };
      const fail = (type: string, message: string): void =>
        reply(400, { __type: `com.amazonaws.cognito.identity.model#${type}`, message });
      if (request.headers['content-type'] !== 'application/x-amz-json-1.1')
        return fail('SerializationException', 'bad content type');
      if (state.failNext > 0) {
        state.failNext -= 1;
        return reply(500, { __type: 'InternalErrorException', message: 'try again' });
      }
      const guest = body['Logins'] === undefined;
      if (guest && !state.allowGuests)
        return fail('NotAuthorizedException', 'Unauthenticated access is not supported for this identity pool.');
      if (action === 'GetId') {
        if (body['IdentityPoolId'] !== POOL) return fail('ResourceNotFoundException', 'IdentityPool not found');
        const id = `eu-west-1:${String(state.identities.size + 1).padStart(8, '0')}-0000-0000-0000-000000000000`;
        state.identities.add(id);
        return reply(200, { IdentityId: id });
      }
      if (action === 'GetCredentialsForIdentity') {
        const id = String(body['IdentityId']);
        if (!state.identities.has(id)) return fail('ResourceNotFoundException', `Identity '${id}' not found.`);
        issued += 1;
        return reply(200, {
          IdentityId: id,
          Credentials: {
            AccessKeyId: `ASIA${issued}`,
            SecretKey: `secret${issued}`,
            SessionToken: `token${issued}`,
            Expiration: Math.floor(Date.now() / 1000) + state.lifetimeSeconds,
          },
        });
      }
      return fail('UnknownOperationException', action);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    endpoint: `http://127.0.0.1:${port}/`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}
