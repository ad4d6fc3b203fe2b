/**
 * Measured workers run as plain JavaScript compiled the way our packages ship (tsup: esbuild,
 * no `keepNames`), not through tsx: tsx compiles with `keepNames`, which wraps every function
 * and class in `__name(fn, "…")`, an `Object.defineProperty` that gives each closure its own
 * property store (256 B on V8) and costs a call each time one is made. That lands on our side
 * only (MQTT.js, the peer, is plain JavaScript from node_modules) and is not what users run.
 * `@webcomm/*` imports are bundled from the sources (tsconfig paths); every other package stays
 * an import of its installed file, resolved here, so the peer's code is the same as under tsx.
 */
import type { Plugin } from 'esbuild';
import { mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const OUT_DIR = join(tmpdir(), `webcomm-bench-${process.pid}`);
const compiled = new Map<string, Promise<string>>();

/** Keeps installed packages external, as absolute paths (the output lives outside the repo). */
const installedExternal: Plugin = {
  name: 'installed-external',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.path.startsWith('@webcomm/') || args.pluginData === 'inner') return undefined;
      if (args.path.startsWith('node:')) return { path: args.path, external: true };
      const resolved = await build.resolve(args.path, {
        kind: args.kind,
        resolveDir: args.resolveDir,
        importer: args.importer,
        pluginData: 'inner',
      });
      if (resolved.errors.length > 0) return { errors: resolved.errors };
      return { path: resolved.path, external: true };
    });
  },
};

/** The compiled file for a worker script under bench/ (compiled once per process). */
export function compileWorker(relativeToBench: string): Promise<string> {
  const known = compiled.get(relativeToBench);
  if (known !== undefined) return known;
  if (compiled.size === 0) {
    mkdirSync(OUT_DIR, { recursive: true });
    // The compiled files live as long as the benchmark process that made them.
    process.once('exit', () => rmSync(OUT_DIR, { recursive: true, force: true }));
  }
  const outfile = join(OUT_DIR, `${basename(relativeToBench, '.ts')}.mjs`);
  // esbuild is loaded here, not at import: the compiled workers import this module's neighbours.
  const done = import('esbuild')
    .then(({ build }) =>
      build({
        entryPoints: [join(ROOT, 'bench', relativeToBench)],
        outfile,
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node22',
        tsconfig: join(ROOT, 'tsconfig.json'),
        plugins: [installedExternal],
        logLevel: 'warning',
      }),
    )
    .then(() => outfile);
  compiled.set(relativeToBench, done);
  return done;
}
