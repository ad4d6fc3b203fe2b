/**
 * CI check (`.ci/run`): commit subjects of at most 72 characters (CONTRIBUTING.md, "Commits"):
 * the subject says what changed; the why and the figures go in the body. Reviews the range of
 * scripts/review-range.ts. Run from the repository root: `node --import tsx scripts/check-commits.ts`.
 */
import { git, reviewBase } from './review-range.js';

/** The longest subject CONTRIBUTING.md allows. */
export const MAX_SUBJECT = 72;

/** The subjects (`hash subject` lines) that are too long. */
export function longSubjects(lines: readonly string[]): string[] {
  return lines.filter((line) => line.slice(line.indexOf(' ') + 1).length > MAX_SUBJECT);
}

function main(): number {
  const range = reviewBase();
  if (range === undefined) return 0;
  const lines = git('log', '--format=%h %s', `${range.ref}..HEAD`).split('\n').filter(Boolean);
  const long = longSubjects(lines);
  if (long.length === 0) {
    console.log(`check-commits: ok (${lines.length} commits since ${range.why}).`);
    return 0;
  }
  for (const line of long) {
    const [hash] = line.split(' ');
    console.error(
      `check-commits: ${hash}'s subject is ${line.length - line.indexOf(' ') - 1} characters (at most ${MAX_SUBJECT}).`,
    );
  }
  console.error(
    'Say what changed in the subject and move the why and the figures to the body (CONTRIBUTING.md, "Commits").',
  );
  return 1;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = main();
