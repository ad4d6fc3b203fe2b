/**
 * `webcomm publish <channel> [message]`: publish as the service (admin API), like mosquitto_pub:
 * the message is the argument, or stdin (`-`, or no argument with stdin piped), or a file
 * (`-f FILE`); `--qos 0|1`, `--retain`.
 */
import { readFile } from 'node:fs/promises';
import type { ChannelInfo } from '@webcomm/core';
import { unknownChannel } from './channel-names.js';
import { adminToken, callApi, CliError, EXIT, serviceUrl, type ConnectionFlags } from './cli-context.js';

/** Flags of `webcomm publish`. */
export interface PublishFlags extends ConnectionFlags {
  readonly clientId?: string;
  readonly retain?: boolean;
  readonly qos: string;
  readonly file?: string;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** The message text, from wherever the flags say. */
async function messageText(message: string | undefined, flags: PublishFlags): Promise<string> {
  if (flags.file !== undefined) {
    if (message !== undefined)
      throw new CliError('USAGE', 'give the message as an argument or with -f FILE, not both.', EXIT.usage);
    return readFile(flags.file, 'utf8').catch((error: NodeJS.ErrnoException) => {
      throw new CliError(
        'FILE_UNREADABLE',
        `cannot read ${flags.file ?? ''}: ${error.code ?? error.message}.`,
        EXIT.failed,
      );
    });
  }
  if (message === '-' || (message === undefined && !process.stdin.isTTY)) return readStdin();
  if (message === undefined)
    throw new CliError(
      'USAGE',
      'missing the message: pass JSON text (\'{"version": 3}\'), - for stdin, or -f FILE.',
      EXIT.usage,
    );
  return message;
}

/** Publishes one message. */
export async function runPublish(channel: string, message: string | undefined, flags: PublishFlags): Promise<void> {
  if (flags.qos !== '0' && flags.qos !== '1')
    throw new CliError('USAGE', `--qos must be 0 or 1 (IoT Core has no QoS 2; got "${flags.qos}").`, EXIT.usage);
  const text = await messageText(message, flags);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new CliError(
      'BAD_JSON',
      `the message must be JSON text, e.g. '{"version": 3}' (got ${JSON.stringify(text.slice(0, 40))}).`,
      EXIT.usage,
    );
  }
  const url = await serviceUrl(flags);
  const token = await adminToken(flags);
  const answer = (await callApi(url, 'admin/publish', {
    token,
    body: {
      channel,
      message: parsed,
      qos: Number(flags.qos),
      ...(flags.clientId ? { clientId: flags.clientId } : {}),
      ...(flags.retain ? { retain: true } : {}),
    },
  }).catch(async (error: unknown) => {
    // The service is the judge of channel names; asked again only to say which one was meant.
    if (!(error instanceof CliError) || error.code !== 'UNKNOWN_CHANNEL') throw error;
    const { channels } = (await callApi(url, 'admin/channels', { token })) as { channels: ChannelInfo[] };
    throw unknownChannel(channel, channels);
  })) as { topic: string };
  console.log(flags.json ? JSON.stringify(answer) : `published on ${channel} (${answer.topic})`);
}
