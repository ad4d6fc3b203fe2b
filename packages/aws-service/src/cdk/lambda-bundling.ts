/**
 * How the construct's Lambda functions are built: where their entry files are, and the esbuild
 * settings they are bundled with.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OutputFormat, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';

/**
 * esbuild, run locally (no Docker). The AWS SDK is bundled rather than taken from the runtime,
 * so the function runs the SDK versions this package was tested with.
 */
export const LAMBDA_BUNDLING: BundlingOptions = {
  format: OutputFormat.ESM,
  minify: true,
  sourceMap: true,
  target: 'node22',
  mainFields: ['module', 'main'],
  externalModules: [],
  banner: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
};

/** The path of the Lambda entry file `name`, next to the construct (src: .ts, dist: .js). */
export function lambdaEntry(name: string): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [
    join(here, '..', 'lambda', `${name}.ts`),
    join(here, '..', 'lambda', `${name}.js`),
    join(here, 'lambda', `${name}.js`),
  ];
  const found = candidates.find((file) => existsSync(file));
  if (found === undefined)
    throw new Error(`@webcomm/aws-service: Lambda entry ${name} not found (looked in ${candidates.join(', ')})`);
  return found;
}
