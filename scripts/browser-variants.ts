import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The slice of esbuild's plugin API this plugin uses (tsup and the bench both pass esbuild plugins). */
interface PluginBuild {
  onResolve(
    options: { filter: RegExp },
    callback: (args: { path: string; resolveDir: string }) => { path: string } | undefined,
  ): void;
}

/**
 * An esbuild plugin for the `browser` builds: an import of a `default-*.js` module whose folder
 * holds a `default-*.browser.ts` sibling resolves to the sibling. That is how a browser bundle
 * gets the lean engine and the plain WebSocket stream by default, with nothing of MQTT.js or
 * Node's stream polyfills reachable, while Node keeps MQTT.js (no runtime switch to tree-shake).
 */
export const browserVariants = {
  name: 'browser-variants',
  setup(build: PluginBuild): void {
    build.onResolve({ filter: /(^|\/)default-[\w-]+\.js$/ }, (args) => {
      const candidate = join(args.resolveDir, args.path.replace(/\.js$/, '.browser.ts'));
      return existsSync(candidate) ? { path: candidate } : undefined;
    });
  },
};
