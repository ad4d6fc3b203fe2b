import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Every code the service's HTTP API (emulator and AWS) can answer (`new HttpProblem(status, 'CODE', …)` in its
// sources, plus INTERNAL) must have a row in docs/troubleshooting.md with its status.
const root = fileURLToPath(new URL('../../', import.meta.url));
const page = readFileSync(join(root, 'docs/troubleshooting.md'), 'utf8');
// The route code lives in @webcomm/service (shared with the AWS handlers), the rest in the emulator.
const sources = ['packages/emulator/src', 'packages/service/src', 'packages/aws-service/src'].flatMap((dir) =>
  (readdirSync(join(root, dir), { recursive: true }) as string[])
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'))
    .map((file) => readFileSync(join(root, dir, file), 'utf8')),
);
const answered = new Map<string, string>([['INTERNAL', '500']]);
for (const text of sources)
  for (const [, status = '', code = ''] of text.matchAll(/HttpProblem\(\s*(\d{3}),\s*'([A-Z_]+)'/g))
    answered.set(code, status);

describe('docs/troubleshooting.md documents the service API codes', () => {
  it('finds the codes in the sources', () => {
    expect(answered.size).toBeGreaterThan(10);
  });
  it.each([...answered])('documents %s (status %s)', (code, status) => {
    const row = page.split('\n').find((line) => line.startsWith(`| \`${code}\` |`));
    expect(row, `no table row for ${code}`).toBeDefined();
    expect(row?.split('|')[2]?.trim()).toBe(status);
  });
});
