/**
 * CI check (`.ci/run`): every user-visible change to a published package carries a changeset.
 * Run from the repository root: `node --import tsx scripts/check-changeset.ts`.
 *
 * User-visible: a file of `packages/<dir>/` under `src/` or `testing/` (tests excepted), its
 * `package.json` or its `README.md`. A package is covered when a changeset added or changed in the
 * range names it, or when the range adds an empty changeset (`pnpm changeset --empty`: "users see
 * no change"). The range starts at, in order: `$CHANGESET_BASE`; the merge base with `origin/main`
 * or `main` on a branch off it; the last release tag (`@webcomm/<name>@<version>`, which
 * `changeset publish` writes: every change since a release needs a changeset until the next one);
 * else the previous commit (on `main` before the first release). Exits 1 naming each package
 * without one, and the files that made it need one.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { git, reviewBase } from './review-range.js';

/** The `packages/` directory a changed file makes need a changeset, or undefined. */
export function userVisiblePackageDir(path: string): string | undefined {
  const match = /^packages\/([^/]+)\/(?:src\/|testing\/|package\.json$|README\.md$)/.exec(path);
  if (match === null || /\.test\.ts$/.test(path) || /\/__fixtures__\//.test(path)) return undefined;
  return match[1];
}

/** The packages a changeset's front matter names; `[]` for an empty changeset. */
export function changesetPackages(text: string): string[] {
  const front = /^---\r?\n([\s\S]*?)\r?\n?---/.exec(text.trimStart());
  if (front === null) return [];
  return (front[1] ?? '')
    .split(/\r?\n/)
    .map((line) => /^\s*['"]?([^'":\s]+)['"]?\s*:\s*(?:patch|minor|major)\s*$/.exec(line)?.[1])
    .filter((name): name is string => name !== undefined);
}

/** Changed package files and changesets in the range → the packages missing one, with their files. */
export function missingChangesets(
  changedFiles: readonly string[],
  changesets: readonly string[],
  packageNames: ReadonlyMap<string, string>,
): Map<string, string[]> {
  const named = changesets.map(changesetPackages);
  const missing = new Map<string, string[]>();
  if (named.some((names) => names.length === 0)) return missing; // an empty changeset: nothing to release
  const covered = new Set(named.flat());
  for (const file of changedFiles) {
    const dir = userVisiblePackageDir(file);
    const name = dir === undefined ? undefined : packageNames.get(dir);
    if (name === undefined || covered.has(name)) continue;
    missing.set(name, [...(missing.get(name) ?? []), file]);
  }
  return missing;
}

function packageNames(): Map<string, string> {
  const names = new Map<string, string>();
  for (const dir of existsSync('packages') ? readdirSync('packages') : []) {
    const manifest = join('packages', dir, 'package.json');
    if (!existsSync(manifest)) continue;
    const { name, private: isPrivate } = JSON.parse(readFileSync(manifest, 'utf8')) as {
      name: string;
      private?: boolean;
    };
    if (isPrivate !== true) names.set(dir, name);
  }
  return names;
}

function main(): number {
  const range = reviewBase();
  if (range === undefined) {
    console.log('check-changeset: a single commit, nothing to compare with.');
    return 0;
  }
  const changed = git('diff', '--name-only', range.ref, 'HEAD').split('\n').filter(Boolean);
  const changesets = git('diff', '--name-only', '--diff-filter=AM', range.ref, 'HEAD', '--', '.changeset/')
    .split('\n')
    .filter((file) => file.endsWith('.md') && !file.endsWith('/README.md') && existsSync(file))
    .map((file) => readFileSync(file, 'utf8'));
  const missing = missingChangesets(changed, changesets, packageNames());
  if (missing.size === 0) {
    console.log(`check-changeset: ok (${changed.length} files since ${range.why}, ${changesets.length} changesets).`);
    return 0;
  }
  for (const [name, files] of missing) {
    const shown = files.slice(0, 5).join(', ') + (files.length > 5 ? `, and ${files.length - 5} more` : '');
    console.error(`check-changeset: ${name} changed since ${range.why} without a changeset (${shown}).`);
  }
  console.error(
    'Add one with `pnpm changeset` (or `pnpm changeset --empty` when users see no change); see CONTRIBUTING.md, "Changesets".',
  );
  return 1;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = main();
