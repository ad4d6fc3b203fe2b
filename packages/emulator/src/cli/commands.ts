/** The `webcomm` commands. Each prints a result (or JSON with --json) and throws CliError on failure. */
import { mkdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { connect as mqttConnect } from 'mqtt';
import type { ChannelInfo, RegistrationResponse } from '@webcomm/core';
import type { UserRecord } from '@webcomm/core/internal';
import { startEmulator } from '../start-emulator.js';
import { writePrivateFile } from '../store/state-store.js';
import { adminToken, callApi, CliError, serviceUrl, type ConnectionFlags } from './cli-context.js';

const print = (flags: { json?: boolean }, value: unknown, text: () => string): void => {
  console.log(flags.json ? JSON.stringify(value, null, 2) : text());
};

function port(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65_535) throw new CliError(`--${name} must be a port number 0-65535 (got "${value}").`, 2);
  return n;
}

/** `webcomm serve` */
export async function runServe(flags: { dataDir: string; host: string; httpPort: string; httpsPort: string; mqttPort: string; mqttsPort: string; json?: boolean }): Promise<void> {
  const dataDir = resolve(flags.dataDir);
  // This process is the emulator: files LevelDB creates while it runs are born 0600.
  process.umask(0o077);
  const emulator = await startEmulator({
    dataDir,
    host: flags.host,
    ports: { http: port('http-port', flags.httpPort), https: port('https-port', flags.httpsPort), mqtt: port('mqtt-port', flags.mqttPort), mqtts: port('mqtts-port', flags.mqttsPort) },
  });
  const endpoints = { ...emulator.endpoints, identityPoolId: emulator.identityPoolId, region: emulator.region, dataDir };
  await writePrivateFile(join(dataDir, 'endpoints.json'), `${JSON.stringify(endpoints, null, 2)}\n`);
  print(flags, endpoints, () =>
    [
      `webcomm emulator running (data in ${dataDir})`,
      `  HTTP API + Cognito  ${emulator.endpoints.http}   (Cognito endpoint ${emulator.endpoints.cognito})`,
      `  MQTT over WebSocket ${emulator.endpoints.ws}   and ${emulator.endpoints.wss}`,
      `  MQTT over TLS       ${emulator.endpoints.mqtts}   (client certificates; ALPN x-amzn-mqtt-ca or mqtt)`,
      `  MQTT over TCP       ${emulator.endpoints.mqtt}   (development only)`,
      `  admin token         in ${join(dataDir, 'admin-token')}`,
      `  CA to trust         in ${join(dataDir, 'ca', 'ca.crt.pem')}`,
      'Ctrl-C stops it.',
    ].join('\n'),
  );
  await new Promise<void>((done) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void emulator
        .stop()
        .then(() => rm(join(dataDir, 'endpoints.json'), { force: true }))
        .then(done);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

/** `webcomm channels` */
export async function runShowChannels(flags: ConnectionFlags): Promise<void> {
  const { channels } = (await callApi(await serviceUrl(flags), 'admin/channels', { token: await adminToken(flags) })) as { channels: ChannelInfo[] };
  print(flags, channels, () => channels.map((c) => `${c.name.padEnd(20)} ${c.type.padEnd(10)} ${c.clientPublish ? 'clients may publish' : 'receive-only      '} ${c.topic}`).join('\n'));
}

/** `webcomm users` */
export async function runShowUsers(flags: ConnectionFlags): Promise<void> {
  const { users } = (await callApi(await serviceUrl(flags), 'admin/users', { token: await adminToken(flags) })) as { users: UserRecord[] };
  print(flags, users, () => (users.length === 0 ? 'no users yet' : users.map((u) => `${u.id.padEnd(52)} ${u.kind.padEnd(10)} ${u.status.padEnd(7)} created ${u.createdAt}`).join('\n')));
}

/** `webcomm set-status <id> <status>` */
export async function runSetStatus(id: string, status: string, flags: ConnectionFlags): Promise<void> {
  if (status !== 'active' && status !== 'banned') throw new CliError(`status must be "active" or "banned" (got "${status}").`, 2);
  const answer = (await callApi(await serviceUrl(flags), `admin/users/${encodeURIComponent(id)}/status`, { method: 'PUT', token: await adminToken(flags), body: { status } })) as {
    user: UserRecord;
    disconnected: number;
  };
  print(flags, answer, () => `${answer.user.id} is now ${answer.user.status}${status === 'banned' ? ` (${answer.disconnected} live connection(s) dropped)` : ''}`);
}

/** `webcomm kick <clientId>`: drops a live client without banning it. */
export async function runKick(clientId: string, flags: ConnectionFlags): Promise<void> {
  const answer = await callApi(await serviceUrl(flags), `admin/connections/${encodeURIComponent(clientId)}`, { method: 'DELETE', token: await adminToken(flags) });
  print(flags, answer, () => `${clientId} disconnected (not banned: it may reconnect; ban it with "webcomm set-status ${clientId} banned")`);
}

/** `webcomm register-client --out DIR [--publish CHANNEL...]`: the operator's registration (admin token). */
export async function runRegisterClient(flags: ConnectionFlags & { type: 'OPENSSL' | 'WEBSOCKET'; out: string; publish?: string[] }): Promise<void> {
  const publish = flags.publish?.flatMap((list) => list.split(',')).map((name) => name.trim()).filter((name) => name !== '');
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
  print(flags, { clientId: registration.clientId, dir: out, brokerPublish: grants }, () =>
    `registered ${registration.clientId} (${registration.connectionType})${grants.length > 0 ? `, may publish straight to the broker on ${grants.join(', ')}` : ''}; files in ${out}`,
  );
}

/** `webcomm publish <channel> <json>` */
export async function runPublish(channel: string, message: string, flags: ConnectionFlags & { clientId?: string; retain?: boolean }): Promise<void> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(message);
  } catch {
    throw new CliError(`<message> must be JSON text, e.g. '{"version": 3}' (got ${message.slice(0, 40)}).`, 2);
  }
  const answer = (await callApi(await serviceUrl(flags), 'admin/publish', {
    token: await adminToken(flags),
    body: { channel, message: parsed, ...(flags.clientId ? { clientId: flags.clientId } : {}), ...(flags.retain ? { retain: true } : {}) },
  })) as { topic: string };
  print(flags, answer, () => `published on ${channel} (${answer.topic})`);
}

/** `webcomm listen <channels...>`: prints until Ctrl-C. */
export async function runListen(channels: string[], flags: ConnectionFlags): Promise<void> {
  const registration = (await callApi(await serviceUrl(flags), 'register', { token: await adminToken(flags), body: { type: 'OPENSSL' } })) as RegistrationResponse;
  const filters = channels.map((name) => registration.channels.find((c) => c.name === name)?.topic ?? name);
  const link = mqttConnect(`mqtts://${registration.endpoint.host}:${registration.endpoint.port}`, {
    clientId: registration.clientId,
    ...(registration.certificatePem === undefined ? {} : { cert: registration.certificatePem }),
    ...(registration.privateKeyPem === undefined ? {} : { key: registration.privateKeyPem }),
    ...(registration.caPem === undefined ? {} : { ca: registration.caPem }),
    protocolVersion: 4,
    reconnectPeriod: 1_000,
  });
  await new Promise<void>((ready, fail) => {
    link.once('connect', () => link.subscribe(filters, { qos: 0 }, (error) => (error ? fail(error) : ready())));
    link.once('error', fail);
  }).catch((error: unknown) => {
    link.end(true);
    throw new CliError(`Cannot listen: ${(error as Error).message}`, 3);
  });
  // Status goes to stderr, so stdout stays pure data (one JSON object per message with --json).
  console.error(`listening on ${filters.join(', ')} as ${registration.clientId} (Ctrl-C to stop)`);
  link.on('message', (topic, payload) => {
    const text = payload.toString('utf8');
    print(flags, { topic, message: safeJson(text), at: new Date().toISOString() }, () => `${new Date().toISOString()} ${topic} ${text}`);
  });
  await new Promise<void>((done) => {
    const stop = (): void => void link.end(false, {}, () => done());
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
