/**
 * `webcomm serve`: the emulator on fixed, documented ports (8080 HTTP API + ws://, 8443 HTTPS +
 * wss://, 8883 MQTT over TLS, 1883 MQTT over TCP), so the quick starts' `http://127.0.0.1:8080`
 * just works. `startEmulator()` from code keeps OS-chosen ports (tests run side by side).
 */
import { join, resolve } from 'node:path';
import { startEmulator } from '../start-emulator.js';
import { consoleLogger, silentLogger } from '../logger.js';
import { busyPorts } from './busy-ports.js';
import { CliError, EXIT } from './cli-error.js';

/** Flags of `webcomm serve`. */
export interface ServeFlags {
  readonly dataDir: string;
  readonly host: string;
  readonly httpPort: string;
  readonly httpsPort: string;
  readonly mqttPort: string;
  readonly mqttsPort: string;
  readonly json?: boolean;
  readonly quiet?: boolean;
}

function port(flag: string, value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < 0 || n > 65_535)
    throw new CliError(
      'USAGE',
      `--${flag} must be a port number 0-65535, 0 for any free port (got "${value}").`,
      EXIT.usage,
    );
  return n;
}

/** Runs the emulator until SIGINT/SIGTERM. */
export async function runServe(flags: ServeFlags): Promise<void> {
  const dataDir = resolve(flags.dataDir);
  const ports = {
    http: port('http-port', flags.httpPort),
    https: port('https-port', flags.httpsPort),
    mqtt: port('mqtt-port', flags.mqttPort),
    mqtts: port('mqtts-port', flags.mqttsPort),
  };
  const busy = await busyPorts(flags.host, ports);
  if (busy.length > 0) throw portsInUse(busy, ports);
  const emulator = await startEmulator({
    dataDir,
    host: flags.host,
    ports,
    logger: flags.quiet ? silentLogger : consoleLogger,
  }).catch((error: unknown) => {
    throw explainStartFailure(error, ports, dataDir);
  });
  const { endpoints } = emulator;
  const summary = { ...endpoints, identityPoolId: emulator.identityPoolId, region: emulator.region, dataDir };
  console.log(
    flags.json
      ? JSON.stringify(summary, null, 2)
      : [
          `webcomm emulator running (data in ${dataDir})`,
          `  HTTP API + Cognito  ${endpoints.http}   (Cognito endpoint ${endpoints.cognito}; portal ${endpoints.http}/portal)`,
          `  MQTT over WebSocket ${endpoints.ws}   and ${endpoints.wss}`,
          `  MQTT over TLS       ${endpoints.mqtts}   (client certificates; ALPN x-amzn-mqtt-ca or mqtt)`,
          `  MQTT over TCP       ${endpoints.mqtt}   (development only)`,
          `  admin token         in ${join(dataDir, 'admin-token')}`,
          `  CA to trust         in ${join(dataDir, 'ca', 'ca.crt.pem')}`,
          'Ctrl-C stops it.',
        ].join('\n'),
  );
  await new Promise<void>((done) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void emulator.stop().then(done);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

/** A port in use becomes one line naming the flag that changes it. */
function explainStartFailure(
  error: unknown,
  ports: Record<'http' | 'https' | 'mqtt' | 'mqtts', number>,
  dataDir: string,
): unknown {
  const { code, port: busy, cause } = error as NodeJS.ErrnoException & { port?: number; cause?: { code?: string } };
  if (code === 'LEVEL_DATABASE_NOT_OPEN' && cause?.code === 'LEVEL_LOCKED') {
    return new CliError(
      'DATA_DIR_IN_USE',
      `data directory ${dataDir} is in use by another emulator: stop it, or pass --data-dir another directory.`,
      EXIT.failed,
    );
  }
  if (code !== 'EADDRINUSE' && code !== 'EACCES') return error;
  const listener = (Object.keys(ports) as (keyof typeof ports)[]).find((name) => ports[name] === busy);
  const flag = listener === undefined ? 'the matching --*-port flag' : `--${listener}-port`;
  if (code === 'EACCES')
    return new CliError(
      'PORT_FORBIDDEN',
      `port ${String(busy)} needs privileges: pass ${flag} 0 or a port above 1023.`,
      EXIT.failed,
    );
  return listener === undefined
    ? new CliError(
        'PORT_IN_USE',
        `port ${String(busy)} is in use: pass ${flag} 0 or another port (is another "webcomm serve" running?).`,
        EXIT.failed,
      )
    : portsInUse([listener], ports);
}

type Listener = 'http' | 'https' | 'mqtt' | 'mqtts';

/** Every busy port in one line, with the flags that move them. */
function portsInUse(busy: readonly Listener[], ports: Record<Listener, number>): CliError {
  const numbers = busy.map((name) => String(ports[name])).join(', ');
  const flags = busy.map((name) => `--${name}-port 0`).join(' ');
  return new CliError(
    'PORT_IN_USE',
    busy.length === 1
      ? `port ${numbers} is in use: pass ${flags} or another port (is another "webcomm serve" running?).`
      : `ports ${numbers} are in use: pass ${flags} or other ports (is another "webcomm serve" running?).`,
    EXIT.failed,
  );
}
