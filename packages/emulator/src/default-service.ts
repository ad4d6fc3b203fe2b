/** The service side's default parts (user table, channels, routes) for a data directory. */
import { WebcommError, ERROR_CODES } from '@webcomm/core';
import type { ChannelCatalog, RouteHandler, ServiceDeps, UserDirectory } from './service/contracts.js';

/** The service parts the broker consults. */
export interface DefaultService {
  readonly users: UserDirectory;
  readonly channels: ChannelCatalog;
  readonly createRoutes: ((deps: ServiceDeps) => RouteHandler) | undefined;
  close(): Promise<void>;
}

/** Uses the injected parts, else the service's defaults under `dataDir`. */
export async function createDefaultService(dataDir: string, users: UserDirectory | undefined, channels: ChannelCatalog | undefined): Promise<DefaultService> {
  if (users === undefined || channels === undefined) {
    throw new WebcommError(ERROR_CODES.INVALID_OPTION, `startEmulator: pass "users" and "channels" (service defaults for ${dataDir} not available yet).`);
  }
  // Injected parts belong to the caller, who closes them.
  return { users, channels, createRoutes: undefined, close: async () => undefined };
}
