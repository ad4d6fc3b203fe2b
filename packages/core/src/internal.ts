/**
 * `@webcomm/core/internal`: parts of core that webcomm's own packages (`@webcomm/node`,
 * `@webcomm/browser`, `@webcomm/emulator`) share. It is not for applications: nothing here is
 * covered by semver, and any name may change or go in any release. Users import from
 * `@webcomm/core` (or the adapter they use), whose list is the supported API.
 * @packageDocumentation
 */

// Option validation shared by the adapters, so every option error reads the same.
export { CLIENT_OPTION_KEYS, assertChannelKeys, assertClientOptionKeys } from './client-option-keys.js';
export { assertKnownOptions, optionKeys, pickOptions } from './util/option-keys.js';
export { validateUrl } from './util/validate-url.js';
export { toDecoder } from './inbound/decoders.js';
export { suggestChannel } from './inbound/channel-names.js';

// Keeping secrets out of logs and `util.inspect`.
export { hideSecrets, INSPECT_CUSTOM } from './util/hide-secrets.js';
export { REDACTED, redact, redactString } from './util/redact.js';
export { createLogger } from './util/logger.js';
export { describeThrown } from './util/describe-thrown.js';

// Time and topics, shared so every package keeps time and matches filters the same way.
export { systemClock } from './util/clock.js';
export { TopicTrie, type TopicTrieOptions } from './inbound/topic-trie.js';

// The real reconnect schedule, for the herd model in bench/ (it must not run a copy).
export { ReconnectSchedule, type ScheduledAttempt } from './connection/reconnect-schedule.js';

// The service's own data model (the emulator implements the service).
export type { UserRecord } from './service/service-types.js';
