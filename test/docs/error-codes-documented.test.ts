import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '@webcomm/core';

// Users look an error code up in docs/troubleshooting.md: every code must be there.
const page = readFileSync(new URL('../../docs/troubleshooting.md', import.meta.url), 'utf8');

describe('docs/troubleshooting.md', () => {
  it.each(Object.values(ERROR_CODES))('documents %s with its cause and fix', (code) => {
    const row = page.split('\n').find((line) => line.startsWith(`| \`${code}\` |`));
    expect(row, `no table row for ${code}`).toBeDefined();
    expect(row?.split('|').filter((cell) => cell.trim() !== '').length).toBe(4);
  });
});
