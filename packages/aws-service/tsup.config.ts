import { defineConfig } from 'tsup';

// Dependencies (including @webcomm/*) stay imports. The Lambda entries are built too: the
// construct bundles them with esbuild from dist/lambda when installed from npm (from src in the repo).
export default defineConfig({
  entry: {
    index: 'src/index.ts',
    'cdk/index': 'src/cdk/index.ts',
    'lambda/service-function': 'src/lambda/service-function.ts',
    'lambda/authorizer-function': 'src/lambda/authorizer-function.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  // import.meta.url in the CJS build (the construct finds its Lambda entries next to itself).
  shims: true,
  external: [/^@webcomm\//, /^aws-cdk-lib/, 'constructs', 'cdk-nag'],
});
