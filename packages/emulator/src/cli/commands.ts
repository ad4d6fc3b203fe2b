/**
 * The `webcomm` admin commands (channels, users, set-status, kick, register-client). Each prints a
 * result (or JSON with --json) and throws CliError on failure. serve, publish and listen have
 * their own files.
 */
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { ChannelInfo, RegistrationResponse } from '@webcomm/core';
import type { UserRecord } from '@webcomm/core/internal';
import { writePrivateFile } from '../store/state-store.js';
import { adminToken, callApi, CliError, EXIT, serviceUrl, type ConnectionFlags } from './cli-context.js';

const print = (flags: { json?: boolean }, value: unknown, text: () => string): void => {
  console.log(flags.json ? JSON.stringify(value, null, 2) : text());
};

/** Who may publish on a channel, in words. */
export function publishers(channel: ChannelInfo & { trustedPublish?: boolean }): string {
  const who = [
    channel.clientPublish ? 'clients' : undefined,
    channel.trustedPublish ? 'trusted tools' : undefined,
  ].filter((w) => w !== undefined);
  return who.length === 0 ? 'service only' : `service, ${who.join(', ')}`;
}

/** `webcomm channels` */
export async function runShowChannels(flags: ConnectionFlags): Promise<void> {
  const { channels } = (await callApi(await serviceUrl(flags), 'admin/channels', {
    token: await adminToken(flags),
  })) as { channels: (ChannelInfo & { trustedPublish?: boolean })[] };
  print(flags, channels, () =>
    [
      `${'NAME'.padEnd(20)} ${'TYPE'.padEnd(10)} ${'WHO MAY PUBLISH'.padEnd(30)} TOPIC`,
      ...channels.map((c) => `${c.name.padEnd(20)} ${c.type.padEnd(10)} ${publishers(c).padEnd(30)} ${c.topic}`),
    ].join('\n'),
  );
}

/** `webcomm users [--search TEXT]`: every matching user, fetched a page (500) at a time. */
export async function runShowUsers(flags: ConnectionFlags & { search?: string }): Promise<void> {
  const url = await serviceUrl(flags);
  const token = await adminToken(flags);
  const users: UserRecord[] = [];
  for (;;) {
    const query = new URLSearchParams({
      offset: String(users.length),
      limit: '500',
      ...(flags.search ? { search: flags.search } : {}),
    });
    const page = (await callApi(url, `admin/users?${query.toString()}`, { token })) as {
      users: UserRecord[];
      total: number;
    };
    users.push(...page.users);
    if (page.users.length === 0 || users.length >= page.total) break;
  }
  print(flags, users, () =>
    users.length === 0
      ? 'no users yet'
      : users
          .map(
            (u) =>
              `${u.id.padEnd(52)} ${u.kind.padEnd(10)} ${u.status.padEnd(7)} created ${u.createdAt}  last seen ${u.lastSeenAt ?? 'never'}`,
          )
          .join('\n'),
  );
}

/** `webcomm set-status <id> <status>` */
export async function runSetStatus(id: string, status: string, flags: ConnectionFlags): Promise<void> {
  if (status !== 'active' && status !== 'banned')
    throw new CliError('USAGE', `status must be "active" or "banned" (got "${status}").`, EXIT.usage);
  const answer = (await callApi(await serviceUrl(flags), `admin/users/${encodeURIComponent(id)}/status`, {
    method: 'PUT',
    token: await adminToken(flags),
    body: { status },
  })) as {
    user: UserRecord;
    disconnected: number;
  };
  print(
    flags,
    answer,
    () =>
      `${answer.user.id} is now ${answer.user.status}${status === 'banned' ? ` (${answer.disconnected} live connection(s) dropped)` : ''}`,
  );
}

/** `webcomm kick <clientId>`: drops a live client without banning it. */
export async function runKick(clientId: string, flags: ConnectionFlags): Promise<void> {
  const answer = await callApi(await serviceUrl(flags), `admin/connections/${encodeURIComponent(clientId)}`, {
    method: 'DELETE',
    token: await adminToken(flags),
  });
  print(
    flags,
    answer,
    () =>
      `${clientId} disconnected (not banned: it may reconnect; ban it with "webcomm set-status ${clientId} banned")`,
  );
}

/** `webcomm register-client --out DIR [--publish CHANNEL...]`: the operator's registration (admin token). */
export async function runRegisterClient(
  flags: ConnectionFlags & { type: 'OPENSSL' | 'WEBSOCKET'; out: string; publish?: string[] },
): Promise<void> {
  const publish = flags.publish
    ?.flatMap((list) => list.split(','))
    .map((name) => name.trim())
    .filter((name) => name !== '');
  const registration = (await callApi(await serviceUrl(flags), 'register', {
    token: await adminToken(flags),
    body: { type: flags.type, ...(publish === undefined || publish.length === 0 ? {} : { publish }) },
  })) as RegistrationResponse;
  const out = resolve(flags.out);
  await mkdir(out, { recursive: true, mode: 0o700 });
  const { certificatePem, privateKeyPem, caPem, ...rest } = registration;
  // Every file 0600, also over files that existed with a wider mode (the folder may be shared).
  if (certificatePem !== undefined) await writePrivateFile(join(out, 'certificate.pem'), certificatePem);
  if (caPem !== undefined) await writePrivateFile(join(out, 'ca.pem'), caPem);
  if (privateKeyPem !== undefined) await writePrivateFile(join(out, 'private-key.pem'), privateKeyPem);
  await writePrivateFile(join(out, 'registration.json'), `${JSON.stringify(rest, null, 2)}\n`);
  const grants = registration.brokerPublish ?? [];
  print(
    flags,
    { clientId: registration.clientId, dir: out, brokerPublish: grants },
    () =>
      `registered ${registration.clientId} (${registration.connectionType})${grants.length > 0 ? `, may publish straight to the broker on ${grants.join(', ')}` : ''}; files in ${out}`,
  );
}
