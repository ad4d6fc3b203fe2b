import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';

// `pnpm demo` is the README's first command. A newcomer measured it at 42 s to 5 minutes when it
// built every package first; run from the TypeScript sources (as `pnpm emulator` is) it reaches its
// first event in about a second. This runs the script exactly as the README does, with a loader
// hook that fails the process if any workspace package is loaded from its `dist/`.
const root = fileURLToPath(new URL('../../', import.meta.url));
const forbidDist = fileURLToPath(new URL('./fixtures/forbid-dist.mjs', import.meta.url));
const manifest = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { scripts: Record<string, string> };

describe('pnpm demo (the README main command)', () => {
  it('builds nothing first', () => {
    expect(manifest.scripts['demo']).not.toMatch(/\bbuild\b/);
  });

  it('runs from the sources and shows the first pushed update within seconds', async () => {
    const started = performance.now();
    const child = spawn('pnpm', ['-s', 'demo'], {
      cwd: root,
      env: { ...process.env, NODE_OPTIONS: `--import ${forbidDist}` },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // its own process group, so a timed-out run is stopped with everything it started
    });
    onTestFinished(() => {
      if (child.exitCode === null && child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
    });
    let output = '';
    let firstEventAfter = Number.NaN;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
      if (Number.isNaN(firstEventAfter) && output.includes('new content v1')) {
        firstEventAfter = performance.now() - started;
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(output, output).toContain('demo: the dedicated server received 3 of 3 content updates');
    expect(code, output).toBe(0);
    // Generous for a busy shared machine; the build it replaces took 42 s on a quiet one.
    expect(firstEventAfter).toBeLessThan(15_000);
  }, 30_000);
});
