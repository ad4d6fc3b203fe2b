import { describe, expect, it } from 'vitest';
import { entriesProgram, workspaceEntries } from '../helpers/package-entries.js';

// The names every entry of every package exports, checked against a committed snapshot
// (api-surface.snap.json), so adding, removing or renaming a public name is a deliberate,
// reviewed change: update the snapshot with `npx vitest run test/api -u` and say why.
const entries = workspaceEntries();
const { exportsOf } = entriesProgram(entries);

/** The sorted export names of `file`. */
function exportNames(file: string): string[] {
  return exportsOf(file)
    .map((s) => s.getName())
    .sort();
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
