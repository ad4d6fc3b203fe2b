import { WebcommClient } from '@webcomm/core';
import { ManualClock } from '@webcomm/core/testing';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { startBroker, type TestBroker } from '../helpers/broker.js';
import { tcpTransport } from '../helpers/tcp-transport.js';

let broker: TestBroker | undefined;
afterEach(async () => {
  await broker?.stop();
  broker = undefined;
});

describe('close()', () => {
  it('lets a process that used the client exit by itself', async () => {
    broker = await startBroker();
    const b = broker;
    const published = new Promise<string>((resolve) =>
      b.aedes.on('publish', (packet, client) => {
        if (client && packet.topic === 'child/out') resolve(packet.payload.toString());
      }),
    );
    b.aedes.on('subscribe', (subs) => {
      if (subs.some((s) => s.topic === 'child/in')) {
        b.aedes.publish(
          { cmd: 'publish', topic: 'child/in', payload: Buffer.from('1'), qos: 0, retain: false, dup: false },
          () => undefined,
        );
      }
    });
    const disconnected = new Promise<void>((resolve) => b.aedes.on('clientDisconnect', () => resolve()));
    const script = fileURLToPath(new URL('./fixtures/close-exits.core.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', script, String(b.port)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    // A hard bound so a regression fails with a message instead of hanging: kill after 15 s.
    const guard = setTimeout(() => child.kill('SIGKILL'), 15_000);
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
      child.on('exit', (c, s) => resolve([c, s])),
    );
    clearTimeout(guard);
    expect({ code, signal, output }).toEqual({ code: 0, signal: null, output: 'subscribed\nclosed closed\n' });
    expect(await published).toBe('{"bye":true}');
    await disconnected;
  });

  it('in process: sends DISCONNECT, leaves no timer and no socket, never reconnects', async () => {
    broker = await startBroker();
    const b = broker;
    const clock = new ManualClock();
    const transport = tcpTransport(b.port);
    const client = new WebcommClient({ transport, clientId: 'closer', clock });
    await client.connect();
    await client.subscribe('x', () => undefined);
    expect(b.sockets.size).toBe(1);
    const gone = new Promise<void>((resolve) => b.aedes.on('clientDisconnect', () => resolve()));
    await client.close();
    await gone;
    expect(clock.pendingTimers).toBe(0);
    clock.advance(3_600_000);
    expect(transport.opens).toBe(1);
    expect(client.state).toBe('closed');
    await client.close(); // idempotent
  });
});
