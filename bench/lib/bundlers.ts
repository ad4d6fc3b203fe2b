/**
 * The three bundlers a user builds a browser app with, each run as a user would on an app in a
 * project where the packed @webcomm tarballs are installed: browser target, ESM where the bundler
 * supports it, production minification. Each returns the one JavaScript file it wrote (bytes).
 *
 * - esbuild: `platform: 'browser'`, minify (the one tsup ships).
 * - Vite (Rollup + esbuild minify): an app build with the entry as its input (library mode keeps
 *   whitespace in ES output, which is not what an app ships).
 * - webpack 5: `mode: 'production'` (terser), `target: 'web'`.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type * as Vite from 'vite';
import type * as Webpack from 'webpack';

/** A bundler: builds `entry` (a .js file inside `project`) and returns the minified output. */
export type Bundler = (project: string, entry: string) => Promise<Uint8Array>;

const requireHere = createRequire(import.meta.url);

interface EsbuildApi {
  build(options: Record<string, unknown>): Promise<{ outputFiles: { path: string; contents: Uint8Array }[] }>;
}
// esbuild is a dependency of tsup (not of the workspace root): resolve it through tsup.
const esbuild = createRequire(requireHere.resolve('tsup/package.json'))('esbuild') as EsbuildApi;

const esbuildBundler: Bundler = async (project, entry) => {
  const result = await esbuild.build({
    entryPoints: [entry],
    absWorkingDir: project,
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    outfile: join(project, 'out-esbuild.js'),
    logLevel: 'silent',
  });
  const js = result.outputFiles.find((f) => f.path.endsWith('.js'));
  if (js === undefined) throw new Error('esbuild wrote no .js');
  return js.contents;
};

const viteBundler: Bundler = async (project, entry) => {
  const { build } = (await import('vite')) as typeof Vite;
  const output = await build({
    root: project,
    configFile: false,
    logLevel: 'silent',
    build: {
      rollupOptions: { input: entry },
      minify: 'esbuild',
      write: false,
      target: 'es2022',
      modulePreload: false,
    },
  });
  const first = Array.isArray(output) ? output[0] : output;
  const chunk = (first as { output: { type: string; code?: string }[] }).output.find((o) => o.type === 'chunk');
  if (chunk?.code === undefined) throw new Error('vite wrote no chunk');
  return new TextEncoder().encode(chunk.code);
};

const webpackBundler: Bundler = async (project, entry) => {
  const webpack = requireHere('webpack') as typeof Webpack.default;
  const out = mkdtempSync(join(project, 'webpack-'));
  try {
    await new Promise<void>((resolve, reject) => {
      webpack(
        {
          mode: 'production',
          context: project,
          entry,
          target: 'web',
          output: { path: out, filename: 'out-webpack.js', library: { type: 'module' } },
          experiments: { outputModule: true },
          resolve: { modules: [join(project, 'node_modules'), 'node_modules'] },
          performance: { hints: false },
          devtool: false,
        },
        (error, stats) => {
          if (error) reject(error);
          else if (stats?.hasErrors()) reject(new Error(stats.toString({ all: false, errors: true }).slice(0, 2000)));
          else resolve();
        },
      );
    });
    const file = readdirSync(out).find((f) => f.endsWith('.js'));
    if (file === undefined) throw new Error('webpack wrote no .js');
    return readFileSync(join(out, file));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
};

/** Every bundler, by name. */
export const BUNDLERS: Readonly<Record<'esbuild' | 'vite' | 'webpack', Bundler>> = {
  esbuild: esbuildBundler,
  vite: viteBundler,
  webpack: webpackBundler,
};
