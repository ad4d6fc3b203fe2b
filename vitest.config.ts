import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (pkg: string): string => fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url));

// Tests run against the TypeScript sources (no build step needed), except the browser
// end-to-end tests, which load the built bundle into Chromium.
export default defineConfig({
  resolve: {
    // Exact matches, so `@webcomm/node/testing` is not read as a path under `@webcomm/node`.
    alias: [
      { find: /^@webcomm\/core$/, replacement: src('core') },
      { find: /^@webcomm\/core\/internal$/, replacement: fileURLToPath(new URL('./packages/core/src/internal.ts', import.meta.url)) },
      { find: /^@webcomm\/core\/testing$/, replacement: fileURLToPath(new URL('./packages/core/src/testing.ts', import.meta.url)) },
      { find: /^@webcomm\/node$/, replacement: src('node') },
      { find: /^@webcomm\/node\/testing$/, replacement: fileURLToPath(new URL('./packages/node/src/testing/index.ts', import.meta.url)) },
      { find: /^@webcomm\/browser$/, replacement: src('browser') },
      { find: /^@webcomm\/emulator$/, replacement: src('emulator') },
    ],
  },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'test/**/*.test.ts', 'examples/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
