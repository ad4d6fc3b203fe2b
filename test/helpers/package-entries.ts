import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/** The repository root, with a trailing slash. */
export const root = fileURLToPath(new URL('../../', import.meta.url));

/** One code entry of a workspace package's `exports` map. */
export interface PackageEntry {
  /** The import specifier, e.g. `@webcomm/core/internal`. */
  readonly specifier: string;
  /** The package directory's name, e.g. `core`. */
  readonly pkg: string;
  /** The subpath without `./` (`internal`), or undefined for the main entry. */
  readonly sub: string | undefined;
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

/**
 * Every code entry of every workspace package's `exports` map, read from the manifests, so
 * the tests that walk the public API (its snapshot, its TSDoc) cannot miss a new entry.
 */
export function workspaceEntries(): PackageEntry[] {
  const entries: PackageEntry[] = [];
  for (const pkg of readdirSync(`${root}packages`).sort()) {
    const dir = `${root}packages/${pkg}`;
    if (!existsSync(`${dir}/package.json`)) continue;
    const manifest = JSON.parse(readFileSync(`${dir}/package.json`, 'utf8')) as {
      name: string;
      exports?: Record<string, unknown>;
    };
    for (const sub of Object.keys(manifest.exports ?? {})) {
      if (sub.endsWith('.json')) continue;
      const short = sub === '.' ? undefined : sub.slice(2);
      entries.push({
        specifier: short === undefined ? manifest.name : `${manifest.name}/${short}`,
        pkg,
        sub: short,
        source: sourceOf(dir, sub),
      });
    }
  }
  return entries;
}

/** A type-checked program over `entries`, with each `@webcomm/...` specifier mapped to its source. */
export function entriesProgram(entries: readonly PackageEntry[]): {
  program: ts.Program;
  checker: ts.TypeChecker;
  exportsOf(file: string): ts.Symbol[];
} {
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
  const exportsOf = (file: string): ts.Symbol[] => {
    const source = program.getSourceFile(file);
    if (!source) throw new Error(`not in program: ${file}`);
    const moduleSymbol = checker.getSymbolAtLocation(source);
    return moduleSymbol ? checker.getExportsOfModule(moduleSymbol) : [];
  };
  return { program, checker, exportsOf };
}
