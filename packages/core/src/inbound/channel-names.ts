import { ERROR_CODES, WebcommError } from '../errors.js';
import { closestOption } from '../util/option-keys.js';

/**
 * How a name that is not one of `channels` is described in an error: the closest channel name
 * ("did you mean "news"?"), or the list of them.
 */
export function suggestChannel(name: string, channels: Iterable<string>): string {
  const names = [...channels];
  const closest = closestOption(name, names);
  if (closest !== undefined) return `did you mean "${closest}"?`;
  return names.length === 0
    ? 'no channels are configured'
    : `the channels are ${names.map((n) => `"${n}"`).join(', ')}`;
}

/**
 * Refuses `subscribe(name)` with `UNKNOWN_CHANNEL` when channels are configured and `name` is
 * a plain word (no `/`, no wildcard) naming none of them. Such a word is nearly always a
 * misspelt channel ("newz"); taken as a one-level MQTT topic it would subscribe, silently, to a
 * topic nothing publishes on. A real one-level topic is declared as a custom channel.
 */
export function assertNotMisspeltChannel(name: string, channels: ReadonlyMap<string, unknown>): void {
  if (channels.size === 0 || /[/+#]/.test(name)) return;
  throw new WebcommError(
    ERROR_CODES.UNKNOWN_CHANNEL,
    `subscribe("${name}"): no channel "${name}" (${suggestChannel(name, channels.keys())}). ` +
      'To receive a one-level MQTT topic of that name, declare it in options.channels as a custom channel.',
    { topic: name },
  );
}
