import { describe, expect, it } from 'vitest';
import { main } from './main.js';

describe('examples/demo (the README main command)', () => {
  it('starts the emulator, and the dedicated server receives every pushed content update', async () => {
    const lines: string[] = [];
    const received = await main({ log: (line) => lines.push(line), updates: 3 });
    expect(received.map((u) => u.version)).toEqual([1, 2, 3]);
    expect(lines).toContain('demo: the dedicated server received 3 of 3 content updates');
    expect(lines.some((l) => l.includes('newly registered'))).toBe(true);
  });
});
