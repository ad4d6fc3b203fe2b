import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

// Every public export of every package must carry a TSDoc comment: the API reference
// (TypeDoc) is generated from them, so an undocumented export is a hole in the docs.
const root = fileURLToPath(new URL('../../', import.meta.url));
const packages = ['core', 'node', 'browser', 'emulator'];
const entries = [...packages.map((name) => ({ name, path: `${root}packages/${name}/src/index.ts` })), { name: 'node/testing', path: `${root}packages/node/src/testing/index.ts` }]
  .filter((entry) => existsSync(entry.path));

const program = ts.createProgram(
  entries.map((entry) => entry.path),
  {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    baseUrl: root,
    paths: Object.fromEntries(packages.map((name) => [`@webcomm/${name}`, [`packages/${name}/src/index.ts`]])),
  },
);
const checker = program.getTypeChecker();

/** Names of the exports of `file` that have no doc comment on any declaration. */
function undocumentedExports(file: string): string[] {
  const source = program.getSourceFile(file);
  if (!source) throw new Error(`not in program: ${file}`);
  const moduleSymbol = checker.getSymbolAtLocation(source);
  if (!moduleSymbol) return [];
  const missing: string[] = [];
  for (const exported of checker.getExportsOfModule(moduleSymbol)) {
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    const declarations = symbol.getDeclarations() ?? [];
    // Exports that come from dependencies (e.g. re-exported MQTT.js types) are documented there.
    const ours = declarations.filter((d) => !d.getSourceFile().fileName.includes('/node_modules/'));
    if (ours.length === 0) continue;
    const documented = ours.some((d) => ts.getJSDocCommentsAndTags(d).length > 0);
    if (!documented) missing.push(`${exported.getName()} (${ours[0]?.getSourceFile().fileName.replace(root, '')})`);
  }
  return missing;
}

describe('public API documentation', () => {
  it('finds the package entry points', () => {
    expect(entries.length).toBeGreaterThan(0);
  });
  for (const entry of entries) {
    it(`@webcomm/${entry.name}: every export has a TSDoc comment`, () => {
      expect(undocumentedExports(entry.path)).toEqual([]);
    });
  }
});
