import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The AWS SDK warns once per process on Node < 22 (NodeVersionSupportWarning). CI runs Node 22 and
// 24, where it never fires; on a Node 20 machine it only floods the test log, so it is turned off
// there and nowhere else (checked: no warning on `npx -y node@22`).
const sdkWarningOff =
  Number(process.versions.node.split('.')[0]) < 22 ? { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' } : {};

const src = (pkg: string): string => fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url));

const TESTS = [
  'packages/*/src/**/*.test.ts',
  'packages/*/testing/**/*.test.ts',
  'test/**/*.test.ts',
  'examples/**/*.test.ts',
];
const EXCLUDED = ['**/node_modules/**', '**/dist/**'];

// Tests run against the TypeScript sources (no build step needed), except the browser
// end-to-end tests, which load the built bundle into Chromium.
export default defineConfig({
  resolve: {
    // Exact matches, so `@webcomm/node/testing` is not read as a path under `@webcomm/node`.
    alias: [
      { find: /^@webcomm\/core$/, replacement: src('core') },
      {
        find: /^@webcomm\/core\/internal$/,
        replacement: fileURLToPath(new URL('./packages/core/src/internal.ts', import.meta.url)),
      },
      {
        find: /^@webcomm\/core\/mqttjs$/,
        replacement: fileURLToPath(new URL('./packages/core/src/mqttjs.ts', import.meta.url)),
      },
      {
        find: /^@webcomm\/core\/testing$/,
        replacement: fileURLToPath(new URL('./packages/core/src/testing.ts', import.meta.url)),
      },
      { find: /^@webcomm\/node$/, replacement: src('node') },
      {
        find: /^@webcomm\/node\/testing$/,
        replacement: fileURLToPath(new URL('./packages/node/src/testing/index.ts', import.meta.url)),
      },
      {
        find: /^@webcomm\/aws\/websocket-stream$/,
        replacement: fileURLToPath(new URL('./packages/aws/src/websocket-stream.ts', import.meta.url)),
      },
      { find: /^@webcomm\/aws$/, replacement: src('aws') },
      { find: /^@webcomm\/browser$/, replacement: src('browser') },
      { find: /^@webcomm\/emulator$/, replacement: src('emulator') },
      { find: /^@webcomm\/service$/, replacement: src('service') },
      { find: /^@webcomm\/aws-service$/, replacement: src('aws-service') },
      {
        find: /^@webcomm\/aws-service\/cdk$/,
        replacement: fileURLToPath(new URL('./packages/aws-service/src/cdk/index.ts', import.meta.url)),
      },
      {
        find: /^@webcomm\/emulator\/testing$/,
        replacement: fileURLToPath(new URL('./packages/emulator/testing/index.ts', import.meta.url)),
      },
    ],
  },
  test: {
    exclude: ['**/node_modules/**', '**/dist/**'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: 'forks',
    env: sdkWarningOff,
    reporters: ['default'],
    // By suffix (docs/style.md, habit 10): `vitest run --project unit|int|e2e` runs one kind, `vitest run` all.
    // `extends: true` keeps the aliases and settings above shared by every project.
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: TESTS,
          exclude: [...EXCLUDED, '**/*.int.test.ts', '**/*.e2e.test.ts', 'test/e2e/**'],
        },
      },
      {
        extends: true,
        test: {
          name: 'int',
          include: TESTS.map((glob) => glob.replace(/\*\.test\.ts$/, '*.int.test.ts')),
          exclude: [...EXCLUDED, 'test/e2e/**'],
        },
      },
      { extends: true, test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], exclude: EXCLUDED } },
    ],
  },
});
