import { defineConfig } from 'tsup';

// One build for Node, browsers and bundlers: @webcomm/core and @webcomm/aws stay imports (never
// inlined), so an app that also imports @webcomm/core ships one copy of it. MQTT.js's browser needs
// (a module-scoped `process`) are met by core's own `browser` export, so no polyfills here either.
export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  external: [/^@webcomm\//],
});
