/**
 * Debian's `mosquitto_sub` and `mosquitto_pub` (mosquitto-clients, libmosquitto over OpenSSL)
 * against the emulator's defaults with certificates the operator issued through the admin API
 * (POST /register with the admin token). mosquitto_sub receives a service publish and a
 * publish from mosquitto_pub on the channel the operator granted it; without a certificate the
 * TLS listener refuses.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writePrivateFile } from '../../packages/emulator/src/store/state-store.js';
import { startEmulatorUnderTest, type EmulatorUnderTest } from '../helpers/emulator-under-test.js';

const SUB = '/usr/bin/mosquitto_sub';
const PUB = '/usr/bin/mosquitto_pub';

let env: EmulatorUnderTest | undefined;
let dir = '';
const children: ChildProcessWithoutNullStreams[] = [];

afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  await env?.close();
  env = undefined;
  if (dir !== '') await rm(dir, { recursive: true, force: true });
  dir = '';
});

interface Identity {
  readonly clientId: string;
  /** mosquitto's TLS arguments for it. */
  readonly tls: string[];
}

/** Registers an OPENSSL client as the operator and writes its files (0600) for mosquitto. */
async function operatorIssued(
  emulator: EmulatorUnderTest['emulator'],
  name: string,
  publish: string[] = [],
): Promise<Identity> {
  const response = await fetch(`${emulator.endpoints.http}/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${emulator.adminToken}` },
    body: JSON.stringify({ type: 'OPENSSL', ...(publish.length > 0 ? { publish } : {}) }),
  });
  expect(response.status).toBe(200);
  const registration = (await response.json()) as {
    clientId: string;
    certificatePem: string;
    privateKeyPem: string;
    caPem: string;
  };
  const file = (suffix: string): string => join(dir, `${name}-${suffix}`);
  await writePrivateFile(file('cert.pem'), registration.certificatePem);
  await writePrivateFile(file('key.pem'), registration.privateKeyPem);
  await writePrivateFile(file('ca.pem'), registration.caPem);
  return {
    clientId: registration.clientId,
    tls: ['--cafile', file('ca.pem'), '--cert', file('cert.pem'), '--key', file('key.pem')],
  };
}

/** Runs a mosquitto client with line-buffered output (stdio buffers a pipe whole: no SUBACK line would show). */
function run(
  command: string,
  args: string[],
): { child: ChildProcessWithoutNullStreams; output: () => string; exited: Promise<number | null> } {
  const child = spawn('/usr/bin/stdbuf', ['-oL', '-eL', command, ...args], { stdio: 'pipe' });
  children.push(child);
  let output = '';
  child.stdout.on('data', (data: Buffer) => (output += data.toString()));
  child.stderr.on('data', (data: Buffer) => (output += data.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  return { child, output: () => output, exited };
}

function printed(child: ChildProcessWithoutNullStreams, text: string): Promise<void> {
  return new Promise((resolve) => {
    let seen = '';
    const onData = (data: Buffer): void => {
      seen += data.toString();
      if (!seen.includes(text)) return;
      child.stdout.off('data', onData);
      resolve();
    };
    child.stdout.on('data', onData);
  });
}

describe('mosquitto clients against the emulator', () => {
  it('mosquitto_sub receives a service publish and a mosquitto_pub publish, both with operator-issued certificates', async () => {
    env = await startEmulatorUnderTest();
    const { emulator } = env;
    dir = await mkdtemp(join(tmpdir(), 'webcomm-mosquitto-'));
    const listener = await operatorIssued(emulator, 'listener');
    const publisher = await operatorIssued(emulator, 'publisher', ['tools']);
    const port = String(emulator.endpoints.ports.mqtts);
    const own = `webcomm/local/private/client/${listener.clientId}`;

    const sub = run(SUB, [
      '-d',
      '-v',
      '-h',
      'localhost',
      '-p',
      port,
      '-V',
      'mqttv311',
      '-i',
      listener.clientId,
      ...listener.tls,
      '-t',
      own,
      '-t',
      'webcomm/local/tools',
      '-C',
      '2',
      '-W',
      '60',
    ]);
    await printed(sub.child, 'received SUBACK');
    expect(emulator.broker.connections().find((c) => c.clientId === listener.clientId)?.transport).toBe('tls');

    const serviceMessage = printed(sub.child, `${own} {"gift":1}`);
    await emulator.broker.publish(own, Buffer.from('{"gift":1}'));
    await serviceMessage;

    const pub = run(PUB, [
      '-h',
      'localhost',
      '-p',
      port,
      '-V',
      'mqttv311',
      '-i',
      publisher.clientId,
      ...publisher.tls,
      '-t',
      'webcomm/local/tools',
      '-q',
      '1',
      '-m',
      '{"build":7}',
    ]);
    expect(await pub.exited).toBe(0);
    expect(await sub.exited).toBe(0);
    expect(sub.output()).toContain('webcomm/local/tools {"build":7}');
  }, 60_000);

  it("refuses mosquitto_sub without a client certificate, and one whose id is not its certificate's", async () => {
    env = await startEmulatorUnderTest();
    const { emulator } = env;
    dir = await mkdtemp(join(tmpdir(), 'webcomm-mosquitto-'));
    const listener = await operatorIssued(emulator, 'listener');
    const port = String(emulator.endpoints.ports.mqtts);
    const caOnly = listener.tls.slice(0, 2);
    const anonymous = run(SUB, [
      '-h',
      'localhost',
      '-p',
      port,
      '-V',
      'mqttv311',
      '-i',
      'nobody',
      ...caOnly,
      '-t',
      'webcomm/local/announcements',
      '-W',
      '20',
    ]);
    expect(await anonymous.exited).not.toBe(0);
    expect(env.refusals).toEqual([
      expect.objectContaining({ action: 'connect', reason: 'certificate-required', transport: 'tls' }),
    ]);

    const impostor = run(SUB, [
      '-h',
      'localhost',
      '-p',
      port,
      '-V',
      'mqttv311',
      '-i',
      'someone-else',
      ...listener.tls,
      '-t',
      'webcomm/local/announcements',
      '-W',
      '20',
    ]);
    expect(await impostor.exited).not.toBe(0);
    expect(impostor.output()).toMatch(/not authori[sz]ed/i);
    expect(env.refusals.slice(1)).toEqual([
      expect.objectContaining({
        action: 'connect',
        reason: 'client-id-mismatch',
        clientId: 'someone-else',
        transport: 'tls',
      }),
    ]);
  }, 60_000);
});
