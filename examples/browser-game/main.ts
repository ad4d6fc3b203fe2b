/**
 * A browser game page that shows its push connection's state and every content update as it
 * arrives. It registers with the service named in `?service=` (default: the page's own origin),
 * signs in as a Cognito guest (the identity is kept in localStorage), and connects over a
 * SigV4-signed WebSocket. Built with Vite: no Node polyfills are needed.
 */
import { connectToService, watchContent } from '@webcomm/browser';

const $ = (id: string): HTMLElement => document.getElementById(id) as HTMLElement;
const serviceUrl = new URLSearchParams(location.search).get('service') ?? location.origin;

async function start(): Promise<void> {
  const { client, registration } = await connectToService({ serviceUrl });
  $('who').textContent = `as ${registration.clientId}`;
  client.on('state', ({ to }) => {
    $('state').textContent = to;
    $('state').dataset.state = to;
  });
  client.on('error', (error) => ($('error').textContent = `${error.code}: ${error.message}`));
  const content = await watchContent<{ version: number; url?: string }>(client, { channel: 'content-updates' });
  content.on('contentChanged', ({ to, missed, update }) => {
    const item = document.createElement('li');
    item.dataset.version = String(to);
    item.textContent = `v${to}${update.url ? ` ${update.url}` : ''}${missed > 0 ? ` (${missed} missed while away)` : ''}`;
    $('updates').append(item);
  });
  await client.connect();
}

start().catch((error: Error) => ($('error').textContent = error.message));
