import { defineConfig } from 'tsup';

// Dependencies (including @webcomm/core) stay imports, so an app's bundler keeps one copy of each.
export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  external: [/^@webcomm\//],
});
