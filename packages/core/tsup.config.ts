import { defineConfig, type Options } from 'tsup';
import { browserVariants } from '../../scripts/browser-variants.js';

type Plugin = NonNullable<Options['esbuildPlugins']>[number];

/**
 * Keeps the packages @webcomm/aws's WebSocket stream also pulls in (readable-stream, and the
 * `buffer` and `events` packages it imports) imports of the `browser` build, so the app's bundler
 * keeps one copy of each; eventemitter3 too (@webcomm/aws and @webcomm/browser import it). MQTT.js `require()`s them, and esbuild turns a require of an external
 * into a `__require()` that throws in browsers; routing it through a one-line ES module makes it a
 * top-level `import`. Each is a dependency of this package, so it resolves under pnpm too.
 */
const SHARED = /^(readable-stream|buffer|events|eventemitter3)$/;
const importShared: Plugin = {
  name: 'import-shared',
  setup(build) {
    build.onResolve({ filter: SHARED }, (args) =>
      args.namespace === 'shared-import'
        ? { path: args.path, external: true }
        : { path: args.path, namespace: 'shared-import' },
    );
    // Named and default: MQTT.js reads both `require('events').default` and `require('buffer').Buffer`.
    build.onLoad({ filter: /.*/, namespace: 'shared-import' }, (args) => ({
      contents: `export * from '${args.path}'; export { default } from '${args.path}';`,
      loader: 'js',
    }));
  },
};

export default defineConfig([
  // For Node and for bundlers that resolve dependencies themselves.
  {
    entry: ['src/index.ts', 'src/internal.ts', 'src/testing.ts', 'src/mqttjs.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'es2022',
  },
  // The `browser` export: the lean engine is the default, so MQTT.js is in it only for an app
  // that imports `mqttJsEngine` (scripts/browser-variants.ts swaps @webcomm/aws's stream):
  // MQTT.js taken from its sources with a module-scoped `process` (MQTT.js
  // reads `process.nextTick`), so Vite, webpack or esbuild need no Node polyfills and nothing is put
  // on `globalThis`. @webcomm/* and the packages shared with @webcomm/aws stay imports.
  {
    entry: ['src/index.ts', 'src/internal.ts', 'src/testing.ts', 'src/mqttjs.ts'],
    outDir: 'dist/browser',
    format: ['esm'],
    platform: 'browser',
    target: 'es2022',
    sourcemap: true,
    dts: false,
    clean: false,
    noExternal: [/^(?!@webcomm\/)/],
    esbuildPlugins: [importShared, browserVariants],
    inject: ['src/process-shim.ts'],
    treeshake: true,
    // One copy of each module across the entries (an app may import all of them); MQTT.js stays in
    // the chunks only `mqttjs` reaches, which a bundler drops when the app does not import it.
    splitting: true,
  },
]);
