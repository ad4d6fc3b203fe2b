/**
 * The lean engine, hardened to MQTT.js's strictness before it becomes the engine everywhere
 * (issue #25, item 5): an acknowledgement of the wrong type for its packet id ends the link (it
 * used to settle the request as if answered), and a QoS 0 publish on a backed-up stream settles
 * only once the stream drains (it used to settle at once, whatever the backlog). Both engines
 * read a SUBACK short of codes alike: a filter without a code is refused (the issue said MQTT.js
 * granted it; with MQTT.js 5.16 both refuse, and this keeps them together).
 */
import { leanEngine, type MqttEngine, type MqttLink, type MqttStream } from '@webcomm/core';
import { mqttJsEngine } from '@webcomm/core/mqttjs';
import { ManualClock } from '@webcomm/core/testing';
import { EventEmitter } from 'node:events';
import { connect, type Socket } from 'node:net';
import mqttPacket from 'mqtt-packet';
import { afterEach, describe, expect, it } from 'vitest';
import { startScriptedServer } from '../helpers/scripted-mqtt5-server.js';

const ENGINES: Record<string, MqttEngine> = { 'mqtt.js': mqttJsEngine, lean: leanEngine };
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const options = (clientId: string) => ({
  protocolVersion: 4 as const,
  clientId,
  keepaliveSeconds: 0,
  clean: true,
  connectTimeoutMs: 5_000,
  clock: new ManualClock(Date.now()),
});

for (const [name, engine] of Object.entries(ENGINES)) {
  it(`${name}: a SUBACK answering a QoS 1 PUBLISH's packet id ends the link with a protocol error`, async () => {
    const server = await startScriptedServer({
      protocolVersion: 4,
      answer: (packet) =>
        packet.cmd === 'publish' ? [{ cmd: 'suback', messageId: packet.messageId, granted: [0] }] : undefined,
    });
    cleanups.push(() => server.stop());
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = connect({ host: '127.0.0.1', port: server.port, noDelay: true }, () => resolve(s));
      s.once('error', reject);
    });
    const link = engine.open(socket, options(`wrong-ack-${name}`));
    cleanups.push(() => link.destroy());
    const errors: Error[] = [];
    link.on('error', (error) => errors.push(error as Error));
    await new Promise<void>((resolve) => link.on('connack', () => resolve()));
    const closed = new Promise<void>((resolve) => link.on('close', resolve));
    await expect(link.publish('t', new Uint8Array([1]), { qos: 1, retain: false })).rejects.toThrow();
    await closed;
    expect(errors.map((e) => e.name)).toContain('MqttProtocolError');
  });
}

for (const [name, engine] of Object.entries(ENGINES)) {
  it(`${name}: a SUBACK with fewer codes than filters refuses the filters it has no code for`, async () => {
    const server = await startScriptedServer({
      protocolVersion: 4,
      answer: (packet) =>
        packet.cmd === 'subscribe' ? [{ cmd: 'suback', messageId: packet.messageId, granted: [1] }] : undefined,
    });
    cleanups.push(() => server.stop());
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = connect({ host: '127.0.0.1', port: server.port, noDelay: true }, () => resolve(s));
      s.once('error', reject);
    });
    const link = engine.open(socket, options(`short-suback-${name}`));
    cleanups.push(() => link.destroy());
    link.on('error', () => undefined);
    await new Promise<void>((resolve) => link.on('connack', () => resolve()));
    expect(
      await link.subscribe([
        { filter: 'a', qos: 1 },
        { filter: 'b', qos: 1 },
      ]),
    ).toEqual([
      { filter: 'a', reasonCode: 1 },
      { filter: 'b', reasonCode: 0x80 },
    ]);
  });
}

/** A stream the test drives: it takes writes while `open`, reports backlog otherwise, and drains on demand. */
class ValveStream extends EventEmitter implements MqttStream {
  open = true;
  readonly written: Uint8Array[] = [];
  write(chunk: Uint8Array): boolean {
    this.written.push(chunk);
    return this.open;
  }
  end(): void {
    this.destroy();
  }
  destroy(): void {
    queueMicrotask(() => this.emit('close'));
  }
}

describe('lean engine backpressure', () => {
  it('a QoS 0 publish on a backed-up stream settles once the stream drains', async () => {
    const stream = new ValveStream();
    const link: MqttLink = leanEngine.open(stream, options('valve'));
    cleanups.push(() => link.destroy());
    const connack = new Promise<void>((resolve) => link.on('connack', () => resolve()));
    stream.emit('data', mqttPacket.generate({ cmd: 'connack', sessionPresent: false, returnCode: 0 }));
    await connack;

    stream.open = false;
    let settled = false;
    const sent = link.publish('t', new Uint8Array(1024), { qos: 0, retain: false }).then(() => void (settled = true));
    // Every microtask has run by the next macrotask: still waiting for the backlog.
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBe(false);
    stream.open = true;
    stream.emit('drain');
    await sent;
    expect(settled).toBe(true);
  });

  it('a QoS 0 publish waiting for drain rejects when the link closes', async () => {
    const stream = new ValveStream();
    const link = leanEngine.open(stream, options('valve-close'));
    const connack = new Promise<void>((resolve) => link.on('connack', () => resolve()));
    stream.emit('data', mqttPacket.generate({ cmd: 'connack', sessionPresent: false, returnCode: 0 }));
    await connack;
    stream.open = false;
    const sent = link.publish('t', new Uint8Array(8), { qos: 0, retain: false });
    link.destroy();
    await expect(sent).rejects.toThrow(/closed/);
  });
});
