import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (pkg: string): string => fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url));

// Tests run against the TypeScript sources (no build step needed), except the browser
// end-to-end tests, which load the built bundle into Chromium.
export default defineConfig({
  resolve: {
    alias: {
      '@webcomm/core': src('core'),
      '@webcomm/node': src('node'),
      '@webcomm/browser': src('browser'),
      '@webcomm/emulator': src('emulator'),
    },
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
