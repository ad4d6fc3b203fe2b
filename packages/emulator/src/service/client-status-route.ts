/**
 * `GET /status`: a client asks for its own standing, e.g. after the broker refused it
 * (CONNACK 5), to tell a ban from a policy or credentials problem. Authenticated by the client's
 * service token (`Authorization: Bearer <serviceToken>`) and answered for banned clients too
 * (other client routes refuse them): `{ clientId, status }`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ClientStatusResponse } from '@webcomm/core';
import type { UserDirectory } from './contracts.js';
import { bearerToken, HttpProblem, sendJson } from './http-io.js';
import type { ServiceTokens } from './service-tokens.js';

/** The handler of `GET /status` over the user table and the service tokens. */
export function clientStatusRoute(users: UserDirectory, tokens: ServiceTokens): (request: IncomingMessage, response: ServerResponse) => Promise<void> {
  return async (request, response) => {
    const token = bearerToken(request);
    const clientId = token === undefined ? undefined : await tokens.resolve(token);
    const user = clientId === undefined ? undefined : await users.get(clientId);
    if (clientId === undefined || user === undefined) {
      throw new HttpProblem(401, 'SERVICE_TOKEN_REQUIRED', 'Send "Authorization: Bearer <serviceToken>" from your POST /register answer.');
    }
    sendJson(response, 200, { clientId, status: user.status } satisfies ClientStatusResponse);
  };
}
