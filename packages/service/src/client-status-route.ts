/**
 * `GET /status`: a client asks for its own standing, e.g. after the broker refused it
 * (CONNACK 5), to tell a ban from a policy or credentials problem. Authenticated by the client's
 * service token (`Authorization: Bearer <serviceToken>`) and answered for banned clients too
 * (other client routes refuse them): `{ clientId, status }`.
 */
import type { ClientStatusResponse } from '@webcomm/core';
import { HttpProblem } from './http-problem.js';
import type { TokenStore, UserStore } from './ports.js';
import { bearerToken, type ServiceRequest, type ServiceResponse } from './service-request.js';

/** The handler of `GET /status` over the user table and the service tokens. */
export function clientStatusRoute(
  users: UserStore,
  tokens: TokenStore,
): (request: ServiceRequest) => Promise<ServiceResponse> {
  return async (request) => {
    const token = bearerToken(request.headers.authorization);
    const clientId = token === undefined ? undefined : await tokens.resolve(token);
    const user = clientId === undefined ? undefined : await users.get(clientId);
    if (clientId === undefined || user === undefined) {
      throw new HttpProblem(
        401,
        'SERVICE_TOKEN_REQUIRED',
        'Send "Authorization: Bearer <serviceToken>" from your POST /register answer.',
      );
    }
    return { status: 200, body: { clientId, status: user.status } satisfies ClientStatusResponse };
  };
}
