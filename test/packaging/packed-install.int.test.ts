import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Packs every package the way it would be published, installs the tarballs into a fresh
// project outside the workspace, and imports each from ESM and from CJS. This catches a
// broken `exports` map, a missing file in `files`, or a dependency left undeclared.
const root = fileURLToPath(new URL('../../', import.meta.url));
const packages: Record<string, string> = {
  '@webcomm/core': 'WebcommError',
  '@webcomm/node': 'WebcommError',
  '@webcomm/browser': 'WebcommError',
  '@webcomm/emulator': 'startEmulator',
};

let project = '';

beforeAll(() => {
  project = mkdtempSync(join(tmpdir(), 'webcomm-packed-'));
  const tarballs: Record<string, string> = {};
  for (const name of Object.keys(packages)) {
    const dir = join(root, 'packages', name.replace('@webcomm/', ''));
    const out = execFileSync('pnpm', ['pack', '--pack-destination', project], { cwd: dir, encoding: 'utf8' });
    tarballs[name] = `file:${out.trim().split('\n').pop() ?? ''}`;
  }
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'packed-consumer', private: true, dependencies: tarballs, pnpm: { overrides: tarballs } }),
  );
  execFileSync('pnpm', ['install', '--prefer-offline', '--ignore-workspace', '--config.confirmModulesPurge=false'], {
    cwd: project,
    stdio: 'pipe',
  });
}, 240_000);

afterAll(() => {
  if (project) rmSync(project, { recursive: true, force: true });
});

describe('packed packages install and import', () => {
  for (const [name, exportName] of Object.entries(packages)) {
    it(`${name} imports from ESM`, () => {
      const script = `import * as m from '${name}'; if (typeof m.${exportName} !== 'function') throw new Error('missing ${exportName}'); console.log('ok');`;
      const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: project, encoding: 'utf8' });
      expect(out.trim()).toBe('ok');
    });
    it(`${name} requires from CJS`, () => {
      const script = `const m = require('${name}'); if (typeof m.${exportName} !== 'function') throw new Error('missing ${exportName}'); console.log('ok');`;
      const out = execFileSync(process.execPath, ['--input-type=commonjs', '-e', script], { cwd: project, encoding: 'utf8' });
      expect(out.trim()).toBe('ok');
    });
  }
});
