import { defineConfig } from 'tsup';

export default defineConfig([
  // For Node and for bundlers that resolve dependencies themselves.
  {
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'es2022',
  },
  // The `browser` export: MQTT.js taken from its sources with a module-scoped `process` (MQTT.js
  // reads `process.nextTick`), so Vite, webpack or esbuild need no Node polyfills and nothing is put
  // on `globalThis`. readable-stream stays an import: @webcomm/aws's WebSocket stream uses it too,
  // and the app's bundler keeps one copy for both.
  {
    entry: { 'browser/index': 'src/index.ts' },
    format: ['esm'],
    platform: 'browser',
    target: 'es2020',
    sourcemap: true,
    dts: false,
    clean: false,
    noExternal: [/^(?!readable-stream(?:\/|$)|@webcomm\/)/],
    inject: ['src/process-shim.ts'],
    treeshake: true,
    splitting: false,
  },
]);
