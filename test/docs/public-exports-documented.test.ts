import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';
import { entriesProgram, root, workspaceEntries } from '../helpers/package-entries.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Every public export of every package must carry a TSDoc comment: the API reference
// (TypeDoc) is generated from them, so an undocumented export is a hole in the docs.
const entries = workspaceEntries();
const packages = [...new Set(entries.map((entry) => entry.pkg))];
const { checker, exportsOf } = entriesProgram(entries);

/** Names of every export of `file`. */
function exportNames(file: string): string[] {
  return exportsOf(file).map((s) => s.getName());
}

/** Names of the exports of `file` that have no doc comment on any declaration. */
function undocumentedExports(file: string): string[] {
  const missing: string[] = [];
  for (const exported of exportsOf(file)) {
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
    it(`${entry.specifier}: every export has a TSDoc comment`, () => {
      expect(undocumentedExports(entry.source)).toEqual([]);
    });
  }
});

// The generated API reference (TypeDoc, `pnpm run docs:api`): one section per package under its
// npm name, the package README as its landing text, and every public export listed.
interface ReflectionJson {
  name: string;
  readme?: { text: string }[];
  children?: ReflectionJson[];
}

describe('API reference', () => {
  let out = '';
  let reference: ReflectionJson = { name: '' };
  beforeAll(() => {
    out = mkdtempSync(join(tmpdir(), 'webcomm-typedoc-'));
    execFileSync(
      process.execPath,
      [join(root, 'node_modules/typedoc/bin/typedoc'), '--json', join(out, 'api.json'), '--logLevel', 'Error'],
      { cwd: root, stdio: 'pipe' },
    );
    reference = JSON.parse(readFileSync(join(out, 'api.json'), 'utf8')) as ReflectionJson;
  }, 180_000);
  afterAll(() => {
    if (out) rmSync(out, { recursive: true, force: true });
  });

  it('has one section per package, named as on npm, with its README as landing text', () => {
    expect((reference.children ?? []).map((c) => c.name).sort()).toEqual(
      packages.map((name) => `@webcomm/${name}`).sort(),
    );
    for (const name of packages) {
      const section = reference.children?.find((c) => c.name === `@webcomm/${name}`);
      const readme = (section?.readme ?? []).map((part) => part.text).join('');
      const title =
        readFileSync(join(root, 'packages', name, 'README.md'), 'utf8')
          .split('\n')[0]
          ?.replace(/^#\s*/, '') ?? '';
      expect(readme, name).toContain(title);
    }
  });

  for (const entry of entries) {
    it(`${entry.specifier}: every public export appears`, () => {
      const { pkg, sub } = entry;
      const section = reference.children?.find((c) => c.name === `@webcomm/${pkg}`);
      // A package with several entries gets one module per entry (`index`, `testing`).
      const module = section?.children?.some((c) => c.name === 'index')
        ? section.children.find((c) => c.name === (sub ?? 'index'))
        : section;
      const listed = new Set((module?.children ?? []).map((c) => c.name));
      const missing = exportNames(entry.source).filter((name) => !listed.has(name));
      expect(listed.size, entry.specifier).toBeGreaterThan(0);
      expect(missing, entry.specifier).toEqual([]);
    });
  }
});
