/**
 * Channel names on the command line. `listen` and `publish` take channel names; a misspelt one
 * ("content-update") is refused as bad usage with the library's "did you mean" (the same
 * `suggestChannel` the client and `createBackend` use), never sent to the broker: as a topic it
 * would be refused by the policy, and the closed connection would read as a network fault.
 */
import type { ChannelInfo } from '@webcomm/core';
import { suggestChannel } from '@webcomm/core/internal';
import { CliError, EXIT } from './cli-error.js';

/** The usage error for a name that is none of `channels`. */
export function unknownChannel(name: string, channels: readonly Pick<ChannelInfo, 'name'>[]): CliError {
  return new CliError(
    'UNKNOWN_CHANNEL',
    `no channel "${name}" (${suggestChannel(
      name,
      channels.map((c) => c.name),
    )}); "webcomm channels" lists them.`,
    EXIT.usage,
  );
}

/**
 * The MQTT filters for `listen`'s arguments: a channel name becomes its topic; an argument with
 * `/`, `+` or `#` is a filter, taken as is; any other word is a misspelt channel.
 */
export function listenFilters(args: readonly string[], channels: readonly ChannelInfo[]): string[] {
  return args.map((arg) => {
    const channel = channels.find((c) => c.name === arg);
    if (channel !== undefined) return channel.topic;
    if (/[/+#]/.test(arg)) return arg;
    throw unknownChannel(arg, channels);
  });
}
