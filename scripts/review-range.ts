/**
 * The commits a CI check reviews: from a base (below) to HEAD. Shared by check-changeset.ts and
 * check-commits.ts, so both look at the same range.
 */
import { execFileSync } from 'node:child_process';

/** Runs git in the current directory; its output, trimmed. */
export const git = (...args: string[]): string =>
  execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
const tryGit = (...args: string[]): string | undefined => {
  try {
    return git(...args);
  } catch {
    return undefined;
  }
};

/**
 * Where the commits under review start, in order: `$REVIEW_BASE`; the merge base with
 * `origin/main` or `main` on a branch off it; the last release tag (`@webcomm/<name>@<version>`,
 * which `changeset publish` writes); else the previous commit (on `main` before the first
 * release); undefined for a repository of one commit.
 */
export function reviewBase(): { ref: string; why: string } | undefined {
  const fromEnv = process.env['REVIEW_BASE'];
  if (fromEnv) return { ref: fromEnv, why: '$REVIEW_BASE' };
  const head = git('rev-parse', 'HEAD');
  for (const main of ['origin/main', 'main']) {
    const mergeBase = tryGit('merge-base', 'HEAD', main);
    if (mergeBase !== undefined && mergeBase !== head) return { ref: mergeBase, why: `the merge base with ${main}` };
  }
  const release = tryGit('describe', '--tags', '--abbrev=0', '--match', '@webcomm/*@*');
  if (release) return { ref: release, why: `the last release (${release})` };
  const previous = tryGit('rev-parse', '--verify', '--quiet', 'HEAD^');
  return previous === undefined ? undefined : { ref: previous, why: 'the previous commit (no release yet)' };
}
