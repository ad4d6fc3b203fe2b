import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

// The names every entry of every package exports, checked against a committed snapshot
// (api-surface.snap.json), so adding, removing or renaming a public name is a deliberate,
// reviewed change: update the snapshot with `npx vitest run test/api -u` and say why.
const root = fileURLToPath(new URL('../../', import.meta.url));

interface Entry {
  /** The import specifier, e.g. `@webcomm/core/internal`. */
  readonly specifier: string;
  /** The TypeScript source the entry is built from. */
  readonly source: string;
}

/** The source file of subpath `sub` (`.`, `./testing`) of the package in `dir`. */
function sourceOf(dir: string, sub: string): string {
  const base = sub === '.' ? 'index' : sub.slice(2);
  const candidates = [`${dir}/src/${base}.ts`, `${dir}/src/${base}/index.ts`, `${dir}/${base}/index.ts`];
  const found = candidates.find((file) => existsSync(file));
  if (!found) throw new Error(`no source for ${dir} ${sub}: tried ${candidates.join(', ')}`);
  return found;
}

/** Every code entry of every workspace package's `exports` map. */
function workspaceEntries(): Entry[] {
  const entries: Entry[] = [];
  for (const name of readdirSync(`${root}packages`).sort()) {
    const dir = `${root}packages/${name}`;
    if (!existsSync(`${dir}/package.json`)) continue;
    const manifest = JSON.parse(readFileSync(`${dir}/package.json`, 'utf8')) as { name: string; exports?: Record<string, unknown> };
    for (const sub of Object.keys(manifest.exports ?? {})) {
      if (sub.endsWith('.json')) continue;
      entries.push({ specifier: sub === '.' ? manifest.name : `${manifest.name}/${sub.slice(2)}`, source: sourceOf(dir, sub) });
    }
  }
  return entries;
}

const entries = workspaceEntries();
const program = ts.createProgram(
  entries.map((entry) => entry.source),
  {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    baseUrl: root,
    paths: Object.fromEntries(entries.map((entry) => [entry.specifier, [entry.source.replace(root, '')]])),
  },
);
const checker = program.getTypeChecker();

/** The sorted export names of `file`. */
function exportNames(file: string): string[] {
  const source = program.getSourceFile(file);
  if (!source) throw new Error(`not in program: ${file}`);
  const moduleSymbol = checker.getSymbolAtLocation(source);
  return moduleSymbol ? checker.getExportsOfModule(moduleSymbol).map((s) => s.getName()).sort() : [];
}

describe('API surface', () => {
  it('finds every package entry, including the core sub-entries', () => {
    const specifiers = entries.map((entry) => entry.specifier);
    expect(specifiers).toContain('@webcomm/core');
    expect(specifiers).toContain('@webcomm/node');
  });

  it('every entry exports exactly the names in api-surface.snap.json', async () => {
    const surface = Object.fromEntries(entries.map((entry) => [entry.specifier, exportNames(entry.source)]));
    await expect(`${JSON.stringify(surface, null, 2)}\n`).toMatchFileSnapshot('./api-surface.snap.json');
  });
});
