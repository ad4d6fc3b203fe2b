import { builtinModules } from 'node:module';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// The shipped sources of @webcomm/aws and @webcomm/browser: everything but tests and test fixtures.
const dirs = [new URL('./', import.meta.url), new URL('../../browser/src/', import.meta.url)];
// core's process-shim.ts *defines* the module-scoped `process` core's browser build injects into
// MQTT.js (it uses no Node global itself; see the test below).
const shim = new URL('../../core/src/process-shim.ts', import.meta.url);
const sources = dirs.flatMap((dir) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.endsWith('.fixture.ts'))
    .map((f) => new URL(f, dir).pathname),
);
const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
// Packages that are npm packages too (they ship browser code): allowed only through a dependency.
const alsoOnNpm = new Set(['buffer', 'events', 'process', 'string_decoder', 'punycode', 'util', 'assert', 'url']);

describe('@webcomm/aws and @webcomm/browser sources need no Node built-ins', () => {
  it.each(sources)('%s imports no built-in and uses no Node global', (file) => {
    const text = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
    const imports = [...text.matchAll(/(?:from|import|require\()\s*['"]([^'"]+)['"]/g)].map((m) => m[1] as string);
    const bad = imports.filter((name) => builtins.has(name) && !alsoOnNpm.has(name));
    expect(bad).toEqual([]);
    expect(imports.filter((name) => alsoOnNpm.has(name))).toEqual([]);
    expect(text).not.toMatch(/\b(?:Buffer|process|global|__dirname|setImmediate)\b/);
  });

  it('the process shim only declares a module-scoped process and imports nothing', () => {
    const text = readFileSync(shim, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
    expect(text).not.toMatch(/\bimport\b|\brequire\(|globalThis|\bBuffer\b/);
    expect(text).toMatch(/export const process = \{/);
  });

  it('checks a real list', () => {
    expect(sources.some((f) => f.endsWith('/aws/src/websocket-stream.ts'))).toBe(true);
    expect(sources.some((f) => f.endsWith('/browser/src/watch-network.ts'))).toBe(true);
    expect(sources.length).toBeGreaterThan(15);
  });
});
