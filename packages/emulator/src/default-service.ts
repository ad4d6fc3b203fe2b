/** The service side's parts (user table, channels, routes) for a data directory. */
import { ConfiguredChannelCatalog } from './service/channel-catalog.js';
import type { ChannelCatalog, RouteHandler, ServiceDeps, UserDirectory } from './service/contracts.js';
import { createServiceRoutes } from './service/service-routes.js';
import { ServiceTokens } from './service/service-tokens.js';
import type { RateLimit } from '@webcomm/service';
import { LevelUserDirectory } from './service/user-directory.js';

/** The service parts the broker consults. */
export interface DefaultService {
  readonly users: UserDirectory;
  readonly channels: ChannelCatalog;
  readonly createRoutes: (deps: ServiceDeps) => RouteHandler;
  close(): Promise<void>;
}

/**
 * Uses the injected parts, else opens the service's own under `dataDir`: the user table, the
 * service tokens and `channels.json`. Injected parts belong to the caller, who closes them.
 */
export async function createDefaultService(
  dataDir: string,
  users: UserDirectory | undefined,
  channels: ChannelCatalog | undefined,
  limits: { registrationRateLimit?: RateLimit; certificateSelfRegistration?: boolean; now?: () => number } = {},
): Promise<DefaultService> {
  const ownUsers = users === undefined ? await LevelUserDirectory.open(dataDir) : undefined;
  const tokens = await ServiceTokens.open(dataDir);
  const catalog = channels ?? (await ConfiguredChannelCatalog.open(dataDir));
  return {
    users: users ?? (ownUsers as UserDirectory),
    channels: catalog,
    createRoutes: (deps) => createServiceRoutes(deps, { tokens, ...limits }),
    close: async () => {
      await tokens.close();
      await ownUsers?.close();
    },
  };
}
