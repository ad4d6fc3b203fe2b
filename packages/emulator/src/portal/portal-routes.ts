/**
 * `GET /portal` (the page; it holds no secret), `GET /admin/refusals` (admin token: the last 100
 * refusals, newest first, `{"refusals": [{at, action, reason, clientId?, topic?, …}]}`) and
 * `GET /admin/tail?channel=NAME[&clientId=ID]` (admin token): a live, newline-delimited JSON
 * stream of the messages on a channel, for the page's tail. A private channel is tailed for one client (`clientId`), or for every client when
 * it is absent. Each line is `{at, topic, message}`, `message` being the payload parsed as JSON
 * (the payload text when it is not JSON), so the page can print it readably.
 */
import type { RouteHandler, ServiceDeps } from '../service/contracts.js';
import { bearerToken, HttpProblem, secretMatches, sendProblem } from '../service/http-io.js';
import { PORTAL_HTML } from './portal-page.js';
import { parseRequestTarget } from '../http/request-target.js';
import type { RefusalListener } from '../refusal-events.js';
import { RecentRefusals } from './recent-refusals.js';

/** Builds the portal routes. */
export function createPortalRoutes(
  deps: Pick<ServiceDeps, 'adminToken' | 'broker' | 'channels'> & {
    /** Where refusals come from (the emulator's `onRefusal`); recorded from the start for the portal. */
    readonly onRefusal?: (listener: RefusalListener) => () => void;
  },
): RouteHandler {
  const refusals = new RecentRefusals();
  deps.onRefusal?.((refusal) => refusals.add(refusal));
  return async (request, response) => {
    const url = parseRequestTarget(request.url);
    if (url === undefined) return false;
    if (request.method === 'GET' && (url.pathname === '/portal' || url.pathname === '/portal/')) {
      response.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
        // The page runs only its own inline script and talks only to this origin.
        'content-security-policy': "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'",
      });
      response.end(PORTAL_HTML);
      return true;
    }
    if (url.pathname !== '/admin/tail' && url.pathname !== '/admin/refusals') return false;
    try {
      if (!secretMatches(bearerToken(request), deps.adminToken))
        throw new HttpProblem(401, 'ADMIN_TOKEN_REQUIRED', 'Send "Authorization: Bearer <admin token>".');
      if (url.pathname === '/admin/refusals') {
        response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
        response.end(JSON.stringify({ refusals: refusals.list() }));
        return true;
      }
      const name = url.searchParams.get('channel') ?? '';
      const clientId = url.searchParams.get('clientId') ?? '';
      // '+' as the client id: the private channel of every client.
      const channel = deps.channels.find(name, clientId === '' ? '+' : clientId);
      if (channel === undefined) throw new HttpProblem(404, 'UNKNOWN_CHANNEL', `No channel "${name}".`);
      response.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' });
      const stop = deps.broker.tap(channel.topic, (topic, payload) => {
        response.write(
          `${JSON.stringify({ at: new Date().toISOString(), topic, message: parsedOrText(Buffer.from(payload).toString('utf8')) })}\n`,
        );
      });
      request.on('close', stop);
    } catch (error) {
      if (!(error instanceof HttpProblem)) throw error;
      sendProblem(response, error);
    }
    return true;
  };
}

function parsedOrText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
