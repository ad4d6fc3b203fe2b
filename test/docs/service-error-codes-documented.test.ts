import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Every code the emulator's HTTP API can answer (`new HttpProblem(status, 'CODE', …)` in its
// sources, plus INTERNAL) must have a row in docs/troubleshooting.md with its status.
const root = fileURLToPath(new URL('../../', import.meta.url));
const page = readFileSync(join(root, 'docs/troubleshooting.md'), 'utf8');
const sources = (readdirSync(join(root, 'packages/emulator/src'), { recursive: true }) as string[])
  .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'))
  .map((file) => readFileSync(join(root, 'packages/emulator/src', file), 'utf8'));
const answered = new Map<string, string>([['INTERNAL', '500']]);
for (const text of sources) for (const [, status = '', code = ''] of text.matchAll(/HttpProblem\(\s*(\d{3}),\s*'([A-Z_]+)'/g)) answered.set(code, status);

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
