#!/usr/bin/env node
/**
 * `webcomm`: run the local Web Communicator emulator and administer it (channels, users and
 * bans, client registration, publishing, listening), like the service's portal and IoT Core's
 * test client. Every command has `--help`; `--json` prints machine-readable output, errors
 * included. Exit statuses: see {@link EXIT} (2 is bad usage, as mosquitto_sub and the AWS CLI do).
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { CliError, EXIT, reportError } from './cli-error.js';
import { SERVE_PORTS } from './serve-ports.js';

// Each command's module is loaded when it runs: `--version` or `users` need no broker, CA or MQTT code.
const commands = () => import('./commands.js');

// src/cli/main.ts and dist/cli/main.js both sit two levels below the package root.
const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};
const json = process.argv.includes('--json');

const program = new Command('webcomm')
  .description('The local Web Communicator service (an AWS IoT Core emulator) and its admin tool.')
  .version(version, '-V, --version', 'print the version')
  // Usage errors exit 2 (commander's own exit is 1) and are one line like every other error
  // (JSON with --json): commander prints nothing itself, the catch below reports them.
  .exitOverride()
  .configureOutput({ outputError: () => undefined });

const dataDir = (): Option => new Option('--data-dir <dir>', 'the emulator data directory').default('.webcomm-data');
const client = (command: Command): Command =>
  command
    .addOption(dataDir())
    .option('--url <url>', 'the emulator HTTP API (default: from the data directory, or WEBCOMM_URL)')
    .option('--admin-token <token>', 'admin token (default: from the data directory, or WEBCOMM_ADMIN_TOKEN)')
    .option('--json', 'print JSON (errors too, on stderr)');

program
  .command('serve')
  .description('start the emulator and print its endpoints; stops on Ctrl-C')
  .addOption(dataDir())
  .option('--host <address>', 'address to bind', '127.0.0.1')
  .option('--http-port <port>', 'HTTP API and ws:// (0: any free port)', String(SERVE_PORTS['http-port']))
  .option('--https-port <port>', 'HTTPS API and wss:// (0: any free port)', String(SERVE_PORTS['https-port']))
  .option(
    '--mqtts-port <port>',
    'MQTT over TLS, client certificates (0: any free port)',
    String(SERVE_PORTS['mqtts-port']),
  )
  .option('--mqtt-port <port>', 'MQTT over TCP, for development (0: any free port)', String(SERVE_PORTS['mqtt-port']))
  .option('-q, --quiet', 'no log lines on stderr (the endpoints are still printed)')
  .option('--json', 'print the endpoints as JSON (errors too, on stderr)')
  .action(async (flags) => (await import('./serve-command.js')).runServe(flags));

client(program.command('channels').description('list the channels and who may publish on each')).action(async (flags) =>
  (await commands()).runShowChannels(flags),
);
client(
  program
    .command('users')
    .description('list users with their status and last connection')
    .option('--search <text>', 'only ids containing this text'),
).action(async (flags) => (await commands()).runShowUsers(flags));
client(
  program
    .command('kick')
    .description('drop a live client without banning it (it may reconnect)')
    .argument('<clientId>', 'the connected client id'),
).action(async (clientId, flags) => (await commands()).runKick(clientId, flags));
client(
  program
    .command('set-status')
    .description('ban or unban a user')
    .argument('<id>', 'user (client) id')
    .argument('<status>', 'active or banned'),
).action(async (id, status, flags) => (await commands()).runSetStatus(id, status, flags));
client(
  program
    .command('register-client')
    .description(
      'register a client as the operator (admin token) and write its identity files (private key with mode 0600)',
    )
    .addOption(new Option('--type <type>', 'connection type').choices(['OPENSSL', 'WEBSOCKET']).default('OPENSSL'))
    .requiredOption(
      '--out <dir>',
      'directory to write certificate.pem, private-key.pem, ca.pem, registration.json (a createNodeClient cacheDir)',
    )
    .option('--publish <channels...>', 'grant direct broker publish on these channels (they must be "trustedPublish")'),
).action(async (flags) => (await commands()).runRegisterClient(flags));
client(
  program
    .command('publish')
    .description('publish a JSON message on a channel, as the service (admin)')
    .argument('<channel>', 'channel name')
    .argument('[message]', 'JSON text, e.g. \'{"version": 3}\'; "-" or none with stdin piped: read stdin')
    .option('-f, --file <file>', 'read the message from a file')
    .option('--client-id <id>', 'for private channels: whose')
    .addOption(new Option('-q, --qos <qos>', 'MQTT QoS').choices(['0', '1']).default('1'))
    .option('-r, --retain', "keep it as the channel's retained message"),
).action(async (channel, message, flags) => (await import('./publish-command.js')).runPublish(channel, message, flags));
client(
  program
    .command('listen')
    .description('subscribe to channels and print every message live (NDJSON with --json); status lines go to stderr')
    .argument('<channels...>', 'channel names, or MQTT filters')
    .option('-C, --count <n>', 'exit after n messages')
    .option('-W, --timeout <seconds>', `exit with status ${EXIT.timeout} if this many seconds pass first`),
).action(async (channels, flags) => (await import('./listen-command.js')).runListen(channels, flags));

program.parseAsync().catch((error: unknown) => {
  if (error instanceof CommanderError) {
    // --help and --version "fail" with exit code 0; everything else commander refuses is usage.
    if (error.exitCode === 0) return;
    reportError(new CliError('USAGE', usageMessage(error), EXIT.usage), json);
    process.exitCode = EXIT.usage;
    return;
  }
  const failure = error instanceof CliError ? error : new CliError('FAILED', (error as Error).message, EXIT.failed);
  reportError(failure, json);
  process.exitCode = failure.exitCode;
});

/** Commander's message on one line ("(Did you mean --json?)" is its second), with where to find usage. */
function usageMessage(error: CommanderError): string {
  const text = error.message
    .replace(/^error: /, '')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .join(' ');
  const command = program.commands.find((candidate) => candidate.name() === process.argv[2]);
  return `${text}; run "webcomm ${command === undefined ? '' : `${command.name()} `}--help" for usage.`;
}
