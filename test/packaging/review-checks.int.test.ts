/**
 * scripts/check-changeset.ts and check-commits.ts (run by .ci/run) in a throwaway git repository:
 * a branch that changes a package's source needs a changeset naming it (or an empty one); tests,
 * other packages' changesets and files outside packages/ do not count; on main it compares with
 * the last release tag. Commit subjects on the branch are at most 72 characters.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const scripts = join(root, 'scripts');
// tsx by path: the script runs in the throwaway repository, where `--import tsx` would not resolve.
const tsx = pathToFileURL(createRequire(join(root, 'package.json')).resolve('tsx')).href;

let repo = '';
const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function write(path: string, text: string): void {
  mkdirSync(dirname(join(repo, path)), { recursive: true });
  writeFileSync(join(repo, path), text);
}
function git(...args: string[]): void {
  const result = spawnSync('git', args, { cwd: repo, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr}`);
}
function commit(message: string): void {
  git('add', '-A');
  git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-q', '-m', message);
}
function check(script = 'check-changeset.ts'): { code: number | null; output: string } {
  const env = { ...process.env };
  delete env['REVIEW_BASE'];
  const result = spawnSync(process.execPath, ['--import', tsx, join(scripts, script)], {
    cwd: repo,
    encoding: 'utf8',
    env,
  });
  return { code: result.status, output: result.stdout + result.stderr };
}

/** A repository on main with two packages and a README changeset folder, then a branch. */
function repository(): void {
  repo = mkdtempSync(join(tmpdir(), 'webcomm-changeset-'));
  made.push(repo);
  git('init', '-q', '-b', 'main');
  write('packages/node/package.json', '{"name": "@webcomm/node"}');
  write('packages/node/src/index.ts', 'export const a = 1;\n');
  write('packages/core/package.json', '{"name": "@webcomm/core"}');
  write('.changeset/README.md', '# Changesets\n');
  commit('start');
  git('checkout', '-q', '-b', 'feature');
}
const changeset = (front: string): string => `---\n${front}---\n\nWhat users see.\n`;

describe('scripts/check-changeset.ts', () => {
  it('fails a branch that changes a package source without a changeset, naming the package and file', () => {
    repository();
    write('packages/node/src/index.ts', 'export const a = 2;\n');
    commit('node: change');
    const { code, output } = check();
    expect(code).toBe(1);
    expect(output).toContain(
      '@webcomm/node changed since the merge base with main without a changeset (packages/node/src/index.ts)',
    );
    expect(output).toContain('pnpm changeset --empty');
  });

  it('passes once a changeset names the package, or an empty one says users see no change', () => {
    repository();
    write('packages/node/src/index.ts', 'export const a = 2;\n');
    write('.changeset/other.md', changeset("'@webcomm/core': patch\n"));
    commit('node: change, core changeset');
    expect(check().code).toBe(1); // another package's changeset does not count
    write('.changeset/node.md', changeset("'@webcomm/node': patch\n"));
    commit('changeset');
    expect(check()).toMatchObject({ code: 0, output: expect.stringContaining('check-changeset: ok') });

    repository();
    write('packages/node/src/index.ts', 'export const a = 3;\n');
    write('.changeset/refactor.md', changeset(''));
    commit('node: refactor');
    expect(check().code).toBe(0);
  });

  it('tests and files outside packages/ need none', () => {
    repository();
    write('packages/node/src/index.test.ts', 'test\n');
    write('docs/x.md', 'doc\n');
    commit('tests and docs');
    expect(check().code).toBe(0);
  });

  it('on main, everything since the last release tag needs a changeset', () => {
    repository();
    git('checkout', '-q', 'main');
    git('tag', '@webcomm/node@0.1.0');
    write('packages/node/README.md', 'new words\n');
    commit('node: readme');
    write('docs/y.md', 'doc\n');
    commit('docs');
    const { code, output } = check();
    expect(code).toBe(1);
    expect(output).toContain('since the last release (@webcomm/node@0.1.0)');
  });

  it('check-commits: a subject over 72 characters fails, naming the commit; 72 passes', () => {
    repository();
    write('docs/a.md', 'a\n');
    commit(`docs: ${'x'.repeat(66)}`); // 72 characters
    expect(check('check-commits.ts')).toMatchObject({ code: 0, output: expect.stringContaining('1 commits') });
    write('docs/b.md', 'b\n');
    commit(`docs: ${'y'.repeat(67)}`);
    const { code, output } = check('check-commits.ts');
    expect(code).toBe(1);
    expect(output).toMatch(/check-commits: [0-9a-f]+'s subject is 73 characters \(at most 72\)/);
  });
});
