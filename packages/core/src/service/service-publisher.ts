import type { ChannelPublisher } from '../outbound/channel-publisher.js';
import { ERROR_CODES, WebcommError } from '../errors.js';
import { assertKnownOptions, optionKeys } from '../util/option-keys.js';
import { serviceBaseUrl } from './register-client.js';
import type { PublishRequest, ServiceErrorBody } from './service-types.js';

/** Options of {@link servicePublisher}. */
export interface ServicePublisherOptions {
  /** Base URL of the Web Communicator service (the registration answer's service). */
  readonly serviceUrl: string;
  /** The client's service token from registration. Secret: never logged. */
  readonly serviceToken: string;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
}

const FATAL_CODES: Readonly<Record<string, (typeof ERROR_CODES)[keyof typeof ERROR_CODES]>> = {
  BANNED: ERROR_CODES.BANNED,
  SERVICE_TOKEN_REQUIRED: ERROR_CODES.BAD_CREDENTIALS,
  CHANNEL_NOT_PUBLISHABLE: ERROR_CODES.PUBLISH_NOT_ENABLED,
  UNKNOWN_CHANNEL: ERROR_CODES.UNKNOWN_CHANNEL,
  PAYLOAD_TOO_LARGE: ERROR_CODES.INVALID_PAYLOAD,
};

/**
 * Publishes through the service's validating publish API (`POST /publish`) instead of the
 * broker: the way game clients publish, since their IoT policy grants no `iot:Publish`.
 * Opt a channel in with `client.enablePublish(name, servicePublisher({...}))`.
 */
export function servicePublisher(options: ServicePublisherOptions): ChannelPublisher {
  assertKnownOptions(
    options,
    optionKeys<ServicePublisherOptions>({ serviceUrl: true, serviceToken: true, fetch: true }),
    'servicePublisher()',
  );
  const url = new URL('publish', serviceBaseUrl(options.serviceUrl));
  return {
    name: 'service-api',
    async publish(message, { signal }) {
      const body: PublishRequest = { channel: message.channel, message: message.message };
      let response: Response;
      try {
        response = await (options.fetch ?? fetch)(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${options.serviceToken}` },
          body: JSON.stringify(body),
          signal,
        });
      } catch (error) {
        if (signal.aborted) throw signal.reason;
        throw new WebcommError(
          ERROR_CODES.NETWORK,
          `The publish API at ${url.origin} cannot be reached: ${(error as Error).message}.`,
          { cause: error, topic: message.topic },
        );
      }
      if (response.ok) return;
      const problem = (await response.json().catch(() => undefined)) as ServiceErrorBody | undefined;
      const code = problem?.error.code ?? `HTTP_${response.status}`;
      const text = `The publish API refused "${message.channel}": ${response.status} ${code} (${problem?.error.message ?? response.statusText}).`;
      const mapped = FATAL_CODES[code];
      if (response.status === 429)
        throw new WebcommError(ERROR_CODES.RATE_LIMITED, `${text} Slow down.`, { topic: message.topic });
      throw new WebcommError(mapped ?? ERROR_CODES.PROTOCOL, text, { topic: message.topic });
    },
  };
}
