/**
 * `webcomm listen <channels...>`: subscribe as a client over MQTT/TLS and print every message,
 * like mosquitto_sub: `--json` prints NDJSON (one object per line), `-C/--count N` exits 0
 * after N messages, `-W/--timeout S` exits 27 when S seconds pass first. Status lines (listening,
 * the broker went away, back again) go to stderr, so stdout stays data.
 */
import { connect as mqttConnect, type MqttClient } from 'mqtt';
import { listenFilters } from './channel-names.js';
import { CliError, EXIT, type ConnectionFlags } from './cli-context.js';
import { acquireListenerIdentity } from './listener-identity.js';

/** Flags of `webcomm listen`. */
export interface ListenFlags extends ConnectionFlags {
  readonly count?: string;
  readonly timeout?: string;
}

function positiveInteger(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new CliError('USAGE', `${flag} must be a whole number ≥ 1 (got "${value}").`, EXIT.usage);
  return n;
}

function status(flags: ListenFlags, event: string, text: string, extra: Record<string, unknown> = {}): void {
  process.stderr.write(flags.json ? `${JSON.stringify({ status: event, ...extra })}\n` : `webcomm: ${text}\n`);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Prints messages until Ctrl-C, `--count` or `--timeout`. */
export async function runListen(channels: string[], flags: ListenFlags): Promise<void> {
  const count = positiveInteger('-C/--count', flags.count);
  const timeoutSeconds = positiveInteger('-W/--timeout', flags.timeout);
  const identity = await acquireListenerIdentity(flags);
  const { registration } = identity;
  let filters: string[];
  try {
    filters = listenFilters(channels, registration.channels);
  } catch (error) {
    await identity.release();
    throw error;
  }
  const broker = `mqtts://${registration.endpoint.host}:${registration.endpoint.port}`;
  const link: MqttClient = mqttConnect(broker, {
    clientId: registration.clientId,
    ...(registration.certificatePem === undefined ? {} : { cert: registration.certificatePem }),
    ...(registration.privateKeyPem === undefined ? {} : { key: registration.privateKeyPem }),
    ...(registration.caPem === undefined ? {} : { ca: registration.caPem }),
    protocolVersion: 4,
    reconnectPeriod: 1_000,
    connectTimeout: 10_000,
  });
  // Before SUBSCRIBE: a retained message can arrive in the same TCP segment as the SUBACK.
  let received = 0;
  let finish: (outcome: 'done' | 'timeout' | 'signal') => void = () => undefined;
  const outcome = new Promise<'done' | 'timeout' | 'signal'>((settle) => (finish = settle));
  link.on('message', (topic, payload, packet) => {
    if (count !== undefined && received >= count) return;
    received += 1;
    const text = payload.toString('utf8');
    const at = new Date().toISOString();
    console.log(
      flags.json
        ? JSON.stringify({ topic, message: safeJson(text), retain: packet.retain, at })
        : `${at} ${topic} ${text}`,
    );
    if (count !== undefined && received >= count) finish('done');
  });
  const end = (): Promise<void> =>
    new Promise<void>((done) => link.end(true, {}, () => done())).finally(() => identity.release());
  try {
    await new Promise<void>((ready, fail) => {
      link.once('connect', () =>
        link.subscribe(filters, { qos: 1 }, (error, granted) => {
          const refused = granted?.find((grant) => grant.qos === 128);
          if (error || refused) fail(error ?? new Error(`the broker refused ${refused?.topic ?? 'a filter'}`));
          else ready();
        }),
      );
      link.once('error', fail);
      link.once('close', () => fail(new Error(`${broker} closed the connection`)));
    });
  } catch (error) {
    await end();
    throw new CliError(
      'UNREACHABLE',
      `cannot listen on ${filters.join(', ')}: ${(error as Error).message}.`,
      EXIT.unreachable,
    );
  }
  status(flags, 'listening', `listening on ${filters.join(', ')} as ${registration.clientId} (Ctrl-C to stop)`, {
    filters,
    clientId: registration.clientId,
  });

  let lost = false;
  let ending = false; // our own end() closes the link too: that is no lost broker
  link.on('error', () => undefined); // reconnect errors: the close below reports them once
  link.on('close', () => {
    if (lost || ending) return;
    lost = true;
    status(flags, 'lost', `lost the broker at ${broker}; reconnecting every second (Ctrl-C to stop)`, { broker });
  });
  link.on('connect', () => {
    if (!lost) return;
    lost = false;
    status(flags, 'reconnected', `reconnected to ${broker}`, { broker });
  });

  const timer = timeoutSeconds === undefined ? undefined : setTimeout(() => finish('timeout'), timeoutSeconds * 1_000);
  const stop = (): void => finish('signal');
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const result = await outcome;
  clearTimeout(timer);
  process.off('SIGINT', stop);
  process.off('SIGTERM', stop);
  ending = true;
  await end();
  if (result === 'timeout') {
    throw new CliError(
      'TIMEOUT',
      `timed out: ${received} message(s)${count === undefined ? '' : ` of ${count}`} in ${String(timeoutSeconds)} s (-W/--timeout).`,
      EXIT.timeout,
    );
  }
}
