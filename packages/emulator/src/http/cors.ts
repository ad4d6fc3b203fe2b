import type { RouteHandler } from '../service/contracts.js';

/**
 * Lets browser games on another origin (a Vite dev server, a test page) call the emulator's
 * HTTP API: Cognito, registration, publish. Answers preflights and marks every response.
 * No cookies are used anywhere (admin calls carry a bearer token), so `*` grants nothing a
 * page could not already do with `fetch` in no-cors mode.
 */
export function createCorsRoute(): RouteHandler {
  return (request, response) => {
    response.setHeader('access-control-allow-origin', '*');
    response.setHeader('access-control-expose-headers', 'x-amzn-requestid, x-amzn-errortype');
    if (request.method !== 'OPTIONS') return Promise.resolve(false);
    response.writeHead(204, {
      'access-control-allow-methods': 'GET, POST, PUT, DELETE, OPTIONS',
      'access-control-allow-headers':
        request.headers['access-control-request-headers'] ?? 'content-type, authorization',
      'access-control-max-age': '600',
    });
    response.end();
    return Promise.resolve(true);
  };
}
