#!/usr/bin/env node
/**
 * `webcomm`: run the local Web Communicator emulator and administer it (channels, users and
 * bans, client registration, publishing, listening), like the service's portal and IoT Core's
 * test client. Every command has `--help`; `--json` prints machine-readable output.
 */
import { Command, Option } from 'commander';
import { runKick, runListen, runPublish, runRegisterClient, runServe, runSetStatus, runShowChannels, runShowUsers } from './commands.js';
import { CliError } from './cli-context.js';

const program = new Command('webcomm')
  .description('The local Web Communicator service (an AWS IoT Core emulator) and its admin tool.')
  .showHelpAfterError('(run with --help for usage)');

const dataDir = (): Option => new Option('--data-dir <dir>', 'the emulator data directory').default('.webcomm-emulator');
const client = (command: Command): Command =>
  command
    .addOption(dataDir())
    .option('--url <url>', 'the emulator HTTP API (default: from the data directory, or WEBCOMM_URL)')
    .option('--admin-token <token>', 'admin token (default: from the data directory, or WEBCOMM_ADMIN_TOKEN)')
    .option('--json', 'print JSON');

program
  .command('serve')
  .description('start the emulator and print its endpoints; stops on Ctrl-C')
  .addOption(dataDir())
  .option('--host <address>', 'address to bind', '127.0.0.1')
  .option('--http-port <port>', 'HTTP API and ws:// (0: any free port)', '0')
  .option('--https-port <port>', 'HTTPS API and wss:// (0: any free port)', '0')
  .option('--mqtt-port <port>', 'MQTT over TCP, development only (0: any free port)', '0')
  .option('--mqtts-port <port>', 'MQTT over TLS with client certificates (0: any free port)', '0')
  .option('--json', 'print the endpoints as JSON')
  .action(runServe);

client(program.command('channels').description('list the configured channels')).action(runShowChannels);
client(program.command('users').description('list users with their status')).action(runShowUsers);
client(program.command('kick').description('drop a live client without banning it (it may reconnect)').argument('<clientId>', 'the connected client id')).action(runKick);
client(program.command('set-status').description('ban or unban a user').argument('<id>', 'user (client) id').argument('<status>', 'active or banned')).action(runSetStatus);
client(
  program
    .command('register-client')
    .description('register a client as the operator (admin token) and write its identity files (private key with mode 0600)')
    .addOption(new Option('--type <type>', 'connection type').choices(['OPENSSL', 'WEBSOCKET']).default('OPENSSL'))
    .requiredOption('--out <dir>', 'directory to write certificate.pem, private-key.pem, ca.pem, registration.json (a createNodeClient cacheDir)')
    .option('--publish <channels...>', 'grant direct broker publish on these channels (they must be "trustedPublish")'),
).action(runRegisterClient);
client(
  program
    .command('publish')
    .description('publish a JSON message on a channel, as the service (admin)')
    .argument('<channel>', 'channel name')
    .argument('<message>', 'JSON text, e.g. \'{"version": 3}\'')
    .option('--client-id <id>', 'for private channels: whose')
    .option('--retain', 'keep it as the channel\'s retained message'),
).action(runPublish);
client(
  program
    .command('listen')
    .description('subscribe to channels and print every message live (registers a throw-away OPENSSL client)')
    .argument('<channels...>', 'channel names, or MQTT filters'),
).action(runListen);

program.parseAsync().catch((error: unknown) => {
  if (error instanceof CliError) {
    console.error(`webcomm: ${error.message}`);
    process.exitCode = error.exitCode;
    return;
  }
  console.error(`webcomm: ${(error as Error).message}`);
  process.exitCode = 1;
});
